/** Beyond one machine: a sandbox as an OCI bundle's config.json, and as a Kubernetes Job. */
export { toOCI, type OciExport } from './oci.js';
export { writeOCIBundle } from './bundle.js';
export { toKubernetesJob, type KubernetesExport, type KubernetesJobOptions } from './kubernetes.js';
export { realExportHost, type ExportHost } from './host.js';
export { BUNDLE_ROOTFS, type OciRootfs } from './mounts.js';
export { formatUnexpressed, UNEXPRESSED_ANNOTATION, type Unexpressed } from './unexpressed.js';
export type * from './oci-spec.js';
export type * from './kubernetes-types.js';
