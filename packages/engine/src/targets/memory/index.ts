export { MemoryDriver, MemoryKilled, type Fault, type FaultOn, type MemoryCall, type MemoryContainer, type MemoryDriverOptions, type MemoryOp } from './driver.ts';
