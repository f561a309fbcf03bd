export * from './content.module';
export * from './pages/pages.service';
export * from './modules/modules.service';
export * from './media/media.service';
export * from './shared/content-changes';
export { contentItemKey, contentItemTag, contentListTag } from './shared/content-cache';
export * from './pages/page.dto';
export * from './modules/module.dto';
export * from './media/media.dto';
