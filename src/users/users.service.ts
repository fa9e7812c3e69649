import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { hashPassword } from '../crypto/password';
import { Conflict } from '../common/errors';
import { User } from './entities/user.entity';

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /** With `manager`: inside the caller's transaction. */
  findByEmail(email: string, manager?: EntityManager): Promise<User | null> {
    return (manager ? manager.getRepository(User) : this.users).findOneBy({ email: normalizeEmail(email) });
  }

  /** Includes the password hash; for login only. */
  findForLogin(email: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: normalizeEmail(email) })
      .getOne();
  }

  async create(input: { email: string; password: string; name?: string | null }, manager?: EntityManager): Promise<User> {
    const repo = manager ? manager.getRepository(User) : this.users;
    const email = normalizeEmail(input.email);
    if (await repo.existsBy({ email })) throw new Conflict(`a user with email ${email} already exists`);
    const user = repo.create({ email, name: input.name ?? null, passwordHash: await hashPassword(input.password) });
    const saved = await repo.save(user);
    const { passwordHash: _omit, ...rest } = saved;
    return rest as User;
  }
}
