/**
 * shaping: 'bridge' — by class on the bridge's one shared uplink (uplink.ts):
 * an htb class per sandbox, numbered by its address's offset in the subnet,
 * and an nft mark that sends its frames to that class.
 */
import { runTool } from '../host/run-tool.js';
import { SetupError } from '../spec/errors.js';
import { classDrops } from './counters.js';
import type { ShapingMode } from './shaping-mode.js';
import { classLine, classOf, markElement, unmarkElement, uplinkName } from './uplink.js';

/** Runs an undo command; "it is gone already" is success. */
async function removeQuietly(step: string, file: string, args: string[], input?: string): Promise<void> {
  const r = await runTool(file, args, input);
  if (r.code !== 0 && !/No such file|Cannot find|does not exist|not found/i.test(r.stderr)) throw new SetupError(step, `${file} ${args.join(' ')}: ${r.stderr.trim()}`);
}

export const bridgeShaping: ShapingMode<'bridge'> = {
  name: 'bridge',
  egress({ names: n, bridge, minor, ip, bits }) {
    if (minor > 0xfffe) {
      throw new SetupError('net shaping', `bridge shaping gives each sandbox an htb class numbered by its address's offset in the subnet; ${ip} is past 0xfffe: use a /16 or smaller subnet`);
    }
    const uplink = uplinkName(bridge);
    return {
      ip: [],
      tc: [classLine(bridge, minor, bits)],
      nft: [markElement(n.hostVeth, minor)],
      undos: [
        { step: 'net uplink class', undo: () => removeQuietly('net uplink class', 'tc', ['class', 'del', 'dev', uplink, 'classid', classOf(minor)]) },
        { step: 'net mark', undo: () => removeQuietly('net mark', 'nft', ['-f', '-'], unmarkElement(n.hostVeth) + '\n') },
      ],
      drops: () => classDrops(uplink, classOf(minor)),
      describe: `its class on the uplink ${uplink} of ${bridge} (htb, marked by nft meta priority)`,
    };
  },
};
