import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { User } from './entities/user.entity';

/** The user table's statements; with `em`, inside the caller's transaction. Emails come normalized. */
@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  private repo(em?: EntityManager): Repository<User> {
    return em ? em.getRepository(User) : this.users;
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /** The users among `ids` (any order; unknown ids are left out). */
  findByIds(ids: readonly string[]): Promise<User[]> {
    return ids.length ? this.users.findBy({ id: In([...ids]) }) : Promise.resolve([]);
  }

  findByEmail(email: string, em?: EntityManager): Promise<User | null> {
    return this.repo(em).findOneBy({ email });
  }

  existsWithEmail(email: string, em?: EntityManager): Promise<boolean> {
    return this.repo(em).existsBy({ email });
  }

  /** With the password hash (a column not selected by default). */
  findWithPasswordHash(email: string): Promise<User | null> {
    return this.users.createQueryBuilder('u').addSelect('u.passwordHash').where('u.email = :email', { email }).getOne();
  }

  insert(user: Pick<User, 'email' | 'name' | 'passwordHash'>, em?: EntityManager): Promise<User> {
    const repo = this.repo(em);
    return repo.save(repo.create(user));
  }
}
