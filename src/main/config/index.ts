export * from './loader';
export type { AppConfig } from '../../shared/config-schema';
