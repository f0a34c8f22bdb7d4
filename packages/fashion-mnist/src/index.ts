export { loadFashionMnist, loadFashionMnistBytes } from './fashion-mnist';
export type { FashionMnistBytes, FashionMnistOptions } from './fashion-mnist';
export { FASHION_MNIST_SPLIT, parseClothesJson } from './clothes-json';
export { FASHION_MNIST_CLASSES } from '@contrastive/data';
