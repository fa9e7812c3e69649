import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { hashPassword } from '../crypto/password';
import { Conflict } from '../common/errors';
import { User } from './entities/user.entity';
import { UsersRepository } from './users.repository';

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

@Injectable()
export class UsersService {
  constructor(private readonly repo: UsersRepository) {}

  findById(id: string): Promise<User | null> {
    return this.repo.findById(id);
  }

  /** The users among `ids`, by id (unknown ids are absent). */
  async byIds(ids: readonly string[]): Promise<Map<string, User>> {
    return new Map((await this.repo.findByIds([...new Set(ids)])).map((u) => [u.id, u]));
  }

  /** With `manager`: inside the caller's transaction. */
  findByEmail(email: string, manager?: EntityManager): Promise<User | null> {
    return this.repo.findByEmail(normalizeEmail(email), manager);
  }

  /** Includes the password hash; for login only. */
  findForLogin(email: string): Promise<User | null> {
    return this.repo.findWithPasswordHash(normalizeEmail(email));
  }

  async create(input: { email: string; password: string; name?: string | null }, manager?: EntityManager): Promise<User> {
    const email = normalizeEmail(input.email);
    if (await this.repo.existsWithEmail(email, manager)) throw new Conflict(`a user with email ${email} already exists`);
    const saved = await this.repo.insert({ email, name: input.name ?? null, passwordHash: await hashPassword(input.password) }, manager);
    const { passwordHash: _omit, ...rest } = saved;
    return rest as User;
  }
}
