export * from './relationships.module';
export * from './links/relationships.service';
export { linksTag } from './relationship-cache';
