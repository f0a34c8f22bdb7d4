export type { Dataset, ImageBatch, ImageShape, ViewBatch, ViewDataset, ViewRequest } from './types';
export { createInMemoryDataset } from './in-memory-dataset';
export type { InMemoryDatasetOptions } from './in-memory-dataset';
export { subsetDataset } from './subset-dataset';
export { loadCifar10, loadCifar100, CIFAR10_DEFAULTS, CIFAR100_DEFAULTS } from './cifar';
export type { Cifar10Options, Cifar100Options } from './cifar';
export { loadStl10, STL10_DEFAULTS } from './stl10';
export type { Stl10Options, Stl10Split } from './stl10';
export { readIdx, decodeIdx } from './idx';
export type { IdxArray, IdxType } from './idx';
export { loadIdxDataset, loadMnist } from './mnist';
export type { IdxDatasetOptions, MnistOptions } from './mnist';
export { loadImageFolder, IMAGE_FOLDER_DEFAULTS } from './image-folder';
export type { ImageFit, ImageFolderDataset, ImageFolderOptions, ResizeKernel, SkippedImage } from './image-folder';
export { CLASS_LIST_NAMES, IMAGENET100, classListPath, readClassList } from './class-lists';
export type { ClassListName } from './class-lists';
export { decodeThreadPoolEnv, decodeThreads } from './decode-threads';
export type { DecodeQueueStats } from './decode-queue';
export { viewCropSeed } from './view-crops';
export {
  CIFAR10_CLASSES,
  CIFAR100_COARSE_CLASSES,
  CIFAR100_FINE_CLASSES,
  FASHION_MNIST_CLASSES,
  STL10_CLASSES,
} from './class-names';
export { createLoader, LOADER_DEFAULTS } from './loader';
export type { DataLoader, LoaderBatch, LoaderDtype, LoaderOptions, LoaderUpload, LoaderViews } from './loader';
export { packBytes, uploadPackedBytes } from './packed-bytes';
export { epochOrder } from './epoch-order';
export { IN_MEMORY_MAX_BYTES } from './record-file';
