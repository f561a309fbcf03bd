import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PageEntity } from './pages/page.entity';
import { PagesController } from './pages/pages.controller';
import { PagesService } from './pages/pages.service';

/** Pages, modules and media: their tables, services and REST controllers. */
@Module({
  imports: [TypeOrmModule.forFeature([PageEntity])],
  controllers: [PagesController],
  providers: [PagesService],
  exports: [PagesService],
})
export class ContentModule {}
