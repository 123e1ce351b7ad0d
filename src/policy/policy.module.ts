import { Global, Module } from '@nestjs/common';
import { PolicyController } from './policy.controller';
import { PolicyProfiles } from './policy-profiles';

/** Profiles are loaded and validated when the module is built: a bad profile file stops start-up, naming the problem. */
@Global()
@Module({
  controllers: [PolicyController],
  providers: [{ provide: PolicyProfiles, useFactory: () => PolicyProfiles.load() }],
  exports: [PolicyProfiles],
})
export class PolicyModule {}
