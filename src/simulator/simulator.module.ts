import { Global, Module } from '@nestjs/common';
import { BuiltinSimulator } from './builtin-simulator.service';

@Global()
@Module({ providers: [BuiltinSimulator], exports: [BuiltinSimulator] })
export class SimulatorModule {}
