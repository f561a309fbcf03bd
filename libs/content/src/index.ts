export * from './content.module';
export * from './pages/pages.service';
export * from './modules/modules.service';
export * from './media/media.service';
