import { cpuText, memoryText } from '../quantity-text.ts';
import { PASS, reject, type Filter } from './filter.ts';

export const resourcesFit: Filter = {
  name: 'resources-fit',
  filter({ group }, i, { state }) {
    const cpuFree = state.freeCpu[i]!;
    const memFree = state.freeMem[i]!;
    // A zero request fits even an overcommitted node, as in Kubernetes (and in the placer).
    const cpuShort = group.cpu > 0 && group.cpu > cpuFree;
    const memShort = group.memory > 0 && group.memory > memFree;
    if (!cpuShort && !memShort) return PASS;
    const parts: string[] = [];
    if (cpuShort) parts.push(`needs ${cpuText(group.cpu)} cpu, ${cpuText(cpuFree)} free`);
    if (memShort) parts.push(`needs ${memoryText(group.memory)} memory, ${memoryText(memFree)} free`);
    const code = cpuShort ? 'schedule.insufficient-cpu' : 'schedule.insufficient-memory';
    return reject(code, `${state.names[i]!}: ${parts.join('; ')}`);
  },
};
