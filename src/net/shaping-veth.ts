/**
 * shaping: 'veth' (the default) — per sandbox, on its own host veth: the
 * veth's ingress (what the sandbox sends) is redirected to an IFB of its own,
 * cgi<hex>, and tbf shapes that IFB. The IFB goes with the veth (one link
 * group), so its undo is the devices' own.
 */
import { qdiscDrops } from './counters.js';
import { redirectIngress, tbf } from './shaping.js';
import type { ShapingMode } from './shaping-mode.js';

export const vethShaping: ShapingMode<'veth'> = {
  name: 'veth',
  egress: ({ names: n, bits }) => ({
    ip: [`link add ${n.ifb}${n.group ? ` group ${n.group}` : ''} type ifb`, `link set ${n.ifb} addrgenmode none alias ${n.netns} up`],
    tc: [redirectIngress(n.hostVeth, n.ifb), tbf(n.ifb, bits)],
    nft: [],
    undos: [],
    drops: () => qdiscDrops(n.ifb),
    describe: `tbf on IFB ${n.ifb} (the host veth's ingress redirected)`,
  }),
};
