import { Module } from '@nestjs/common';
import { WebController } from './web.controller';

/** The workbench: its sign-in endpoints here; its built front end is served by `serveWorkbench` (static.ts). */
@Module({ controllers: [WebController] })
export class WebModule {}
