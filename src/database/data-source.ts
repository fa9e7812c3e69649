import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/load-config';
import { readEnvironment } from '../config/read-environment';
import { dataSourceOptions } from './database.options';

/** Used by the TypeORM CLI (`npm run migration:run` / `migration:revert`); reads `.env` like the app. */
export default new DataSource(dataSourceOptions(loadConfig(readEnvironment())));
