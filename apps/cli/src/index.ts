export { runCli, USAGE } from './cli';
export { APPS } from './apps';
