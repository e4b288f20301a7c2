/** A resource gone from the program (or an orphan): its runtime objects are removed by label. */
import type { Driver } from '../../targets/driver.ts';

/** True for kinds whose delete touches the runtime (and so is journalled). */
export function deleteIsEffectful(kind: string): boolean {
  return kind === 'Deployment' || kind === 'Job' || kind === 'Service' || kind === 'Volume' || kind === 'Network';
}

export async function deleteResource(driver: Driver, id: string, kind: string): Promise<void> {
  switch (kind) {
    case 'Deployment':
    case 'Job':
      for (const r of await driver.listReplicas(id, { addresses: false })) await driver.removeReplica(r);
      return;
    case 'Service':
      await driver.removeService(id);
      return;
    case 'Volume':
      await driver.removeVolume(id);
      return;
    case 'Network':
      await driver.removeNetwork(id);
      return;
    default:
      // Images, Secrets and Configs leave nothing of their own on the runtime to remove.
      return;
  }
}
