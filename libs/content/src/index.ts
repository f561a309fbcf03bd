export * from './content.module';
export * from './pages/pages.service';
export * from './media/media.service';
