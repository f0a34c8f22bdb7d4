export { checkClustering, prototypeNceTerm, readAssignment, PROTOTYPE_NCE_DEFAULTS } from './prototype-nce';
export type { Clustering, PrototypeNceOptions } from './prototype-nce';
export { protoNceLoss, PROTO_NCE_DEFAULTS } from './proto-nce';
export type { ProtoNceInputs, ProtoNceOptions } from './proto-nce';
export { prototypeColumns } from './columns';
export type { PrototypeColumns } from './columns';
