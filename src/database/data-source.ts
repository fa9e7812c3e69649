import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/load-config';
import { dataSourceOptions } from './database.options';

/** Used by the TypeORM CLI (`npm run migration:run` / `migration:revert`). */
export default new DataSource(dataSourceOptions(loadConfig()));
