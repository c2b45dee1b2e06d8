import { Module, type DynamicModule } from '@nestjs/common';
import type { Database } from '@northstar/common';
import { ItemsController } from './controllers/items.controller.js';
import { ItemsRepository, type RoadmapSchema } from './repositories/items.repository.js';
import { ItemsService } from './services/items.service.js';

@Module({})
export class RoadmapModule {
  static forDatabase(database: Database<RoadmapSchema>): DynamicModule {
    return {
      module: RoadmapModule,
      controllers: [ItemsController],
      providers: [
        { provide: ItemsRepository, useValue: new ItemsRepository(database) },
        { provide: ItemsService, inject: [ItemsRepository], useFactory: (repo: ItemsRepository) => new ItemsService(repo) },
      ],
    };
  }
}
