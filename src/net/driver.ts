/**
 * The network resource driver: `.net({ address, bridge, bandwidth, shaping })`
 * gives the sandbox a namespace of its own with eth0 on a host bridge —
 * a Linux bridge (attach.ts) or Open vSwitch (ovs-attach.ts).
 */
import type { ResourceDriver } from '../resource/types.js';
import { UnsupportedError } from '../spec/errors.js';
import type { NetworkSpec, SandboxSpec } from '../spec/types.js';
import { attachLinux } from './attach.js';
import { attachOvs } from './ovs-attach.js';
import { checkOvs } from './ovs.js';
import { reapNet } from './reap.js';
import { onPath } from '../host/tools.js';

const TOOLS: ReadonlyArray<[tool: string, pkg: string]> = [
  ['ip', 'iproute2'],
  ['tc', 'iproute2'],
  ['nft', 'nftables'],
];

function networkOf(spec: SandboxSpec): NetworkSpec {
  return spec.net as NetworkSpec;
}

export const netDriver: ResourceDriver = {
  name: 'net',
  wanted: (spec) => typeof spec.net === 'object',
  check(spec) {
    const net = networkOf(spec);
    for (const [tool, pkg] of TOOLS) if (!onPath(tool)) throw new UnsupportedError('.net({...})', `it runs \`${tool}\`: install the Debian package ${pkg}`);
    if (net.bridge.kind === 'ovs') return checkOvs();
  },
  setup: (ctx) => {
    const net = networkOf(ctx.spec);
    return net.bridge.kind === 'ovs' ? attachOvs(ctx, net) : attachLinux(ctx, net);
  },
  reap: reapNet,
};
