/**
 * A sandbox as an OCI runtime bundle's config.json: what runc, crun and
 * youki run, and what containerd and Kubernetes hand them. Each part comes
 * from its own file; what the bundle cannot express is listed in the
 * result and in the config's `cgbox.dev/unexpressed` annotation.
 */
import { randomBytes } from 'node:crypto';
import type { SandboxSpec } from '../spec/types.js';
import type { ExportHost } from './host.js';
import { ociCwd, ociView, type OciRootfs } from './mounts.js';
import { ociHostname, ociNamespaces, ociNetworkNotes } from './namespaces.js';
import { OCI_VERSION, type OciConfig } from './oci-spec.js';
import { ociProcess } from './process.js';
import { ociResources } from './resources.js';
import { unexpressedAnnotation, type Unexpressed } from './unexpressed.js';

/** What builder.toOCI() returns: the config, what its root directory is, and what it does not express. */
export interface OciExport {
  /** config.json, as an object: write it with JSON.stringify, or writeOCIBundle(). */
  config: OciConfig;
  /** What the bundle's root directory is, and what writeOCIBundle() puts in it. */
  rootfs: OciRootfs;
  /** Every part of the sandbox the bundle does not express exactly (also in the config's annotation). */
  unexpressed: Unexpressed[];
}

function runNotes(spec: SandboxSpec): Unexpressed[] {
  const notes: Unexpressed[] = [];
  if (spec.timeoutUs !== undefined) {
    notes.push({
      what: `.timeout(${spec.timeoutUs / 1000} ms, { grace: ${spec.graceUs / 1000} ms })`,
      effect: 'dropped',
      why: 'a bundle has no time limit: the runtime runs the command until it ends',
      instead: `end it from outside: timeout --kill-after=${Math.ceil(spec.graceUs / 1e6)}s ${Math.ceil(spec.timeoutUs / 1e6)}s runc run …, or the engine's own deadline`,
    });
  }
  if (spec.sampleUs !== undefined) {
    notes.push({ what: '.sample()', effect: 'dropped', why: "a timeline is cgbox's report, not a runtime setting", instead: 'runc events --stats ID (or the engine\'s metrics) reads the same cgroup counters while it runs' });
  }
  return notes;
}

/**
 * .cgroupParent(): the bundle's cgroup beneath it, under a name of its own (a runtime without one nests
 * it beneath itself). Not cgbox-…: `cgbox reap` kills and removes a cgroup of that prefix whose name
 * carries no live owner's pid, and the bundle's container is no run of cgbox's.
 */
function cgroupsPath(spec: SandboxSpec): { cgroupsPath?: string } {
  return spec.cgroupParent === undefined ? {} : { cgroupsPath: `${spec.cgroupParent.replace(/\/$/, '')}/oci-export-${randomBytes(4).toString('hex')}` };
}

export function toOCI(spec: SandboxSpec, file: string, args: readonly string[], host: ExportHost): OciExport {
  const view = ociView(spec, host);
  const proc = ociProcess(spec, [file, ...args], ociCwd(spec, host, view.mounts), host);
  const res = ociResources(spec, host);
  const unexpressed = [...proc.unexpressed, ...view.unexpressed, ...res.unexpressed, ...ociNetworkNotes(spec), ...runNotes(spec)];
  const config: OciConfig = {
    ociVersion: OCI_VERSION,
    root: view.root,
    mounts: view.mounts,
    process: proc.process,
    hostname: ociHostname(spec),
    annotations: unexpressedAnnotation(unexpressed),
    linux: {
      namespaces: ociNamespaces(spec),
      resources: res.resources,
      ...(res.devices.length ? { devices: res.devices } : {}),
      ...cgroupsPath(spec),
      // Privileged: nothing masked, as the sandbox's view masks nothing.
      ...(view.maskedPaths.length ? { maskedPaths: view.maskedPaths } : {}),
      ...(view.readonlyPaths.length ? { readonlyPaths: view.readonlyPaths } : {}),
    },
  };
  return { config, rootfs: view.rootfs, unexpressed };
}
