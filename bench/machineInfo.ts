import os from 'node:os';

/** The machine a figure was measured on; written next to every result. */
export interface MachineInfo {
  cpu_model: string;
  cores: number;
  memory_gib: number;
  node: string;
  platform: string;
  hostname_hash: string;
  /** 1/5/15-minute load averages when the run started: other work on the cores skews every figure. */
  load_average: number[];
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  // A hash, not the host name: results are committed to the repository.
  let h = 0;
  for (const c of os.hostname()) h = (h * 31 + c.charCodeAt(0)) | 0;
  return {
    cpu_model: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memory_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    hostname_hash: (h >>> 0).toString(16),
    load_average: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
