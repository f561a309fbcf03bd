import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Whether the loopback TCP connection whose client end is `localPort` belongs to process `pid`
 * (Linux: the socket's inode from /proc/net/tcp among the process's open files). Lets a local
 * server tell which of several processes sent a request it holds.
 */
export function connectionBelongsTo(pid: number, localPort: number): boolean {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      if (fields.length > 9 && parseInt(fields[1].split(':')[1], 16) === localPort) inodes.add(fields[9]);
    }
  }
  if (inodes.size === 0) return false;
  let descriptors: string[];
  try {
    descriptors = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  return descriptors.some((descriptor) => {
    try {
      return inodes.has(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${descriptor}`))?.[1] ?? '');
    } catch {
      return false;
    }
  });
}
