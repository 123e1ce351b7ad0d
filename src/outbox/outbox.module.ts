import { Global, Module } from '@nestjs/common';
import { IdempotencyModule } from '../common/idempotency/idempotency.store';
import { DibaoRepository } from '../dibao/dibao.repository';
import { TemporaryAidRepository } from '../temporary-aid/temporary-aid.repository';
import { OrphansController } from './orphans.controller';
import { OutboxDispatcher } from './outbox.dispatcher';
import { OutboxReconciler } from './outbox.reconciler';
import { OutboxRepository } from './outbox.repository';

/**
 * Engine commands through an outbox (`engine_outbox`): services write them with their rows, the dispatcher sends them
 * after the commit, the reconciler repairs what a crash left. Global, so the services' modules need no import; it
 * also brings the idempotency store services use inside their transactions.
 */
@Global()
@Module({
  imports: [IdempotencyModule],
  controllers: [OrphansController],
  // The subjects' repositories are stateless (a DataSource each): the dispatcher writes instance keys through them.
  providers: [OutboxRepository, OutboxDispatcher, OutboxReconciler, DibaoRepository, TemporaryAidRepository],
  exports: [OutboxRepository, OutboxDispatcher],
})
export class OutboxModule {}
