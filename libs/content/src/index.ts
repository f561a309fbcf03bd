export * from './content.module';
export * from './pages/pages.service';
