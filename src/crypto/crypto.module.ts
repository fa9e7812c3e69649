import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { CredentialCipher } from './credential-cipher';
import { EncryptedColumnsRepository } from './encrypted-columns.repository';
import { KeyRotationService } from './key-rotation.service';

@Global()
@Module({
  providers: [
    { provide: CredentialCipher, inject: [AppConfig], useFactory: (c: AppConfig) => CredentialCipher.fromSpec(c.encryptionKeys) },
    EncryptedColumnsRepository,
    KeyRotationService,
  ],
  exports: [CredentialCipher, KeyRotationService],
})
export class CryptoModule {}
