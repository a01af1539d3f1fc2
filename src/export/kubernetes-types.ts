/**
 * The parts of a Kubernetes batch/v1 Job that cgbox writes, by the API's
 * names. A unit test checks that they are assignable to the kubernetes-models
 * package's IJob and validates each Job against its schema; the types are
 * kept here so that the package needs no Kubernetes library at run time.
 */

/** A batch/v1 Job running the sandbox's command once, in one pod of one container. */
export interface KubernetesJob {
  apiVersion: 'batch/v1';
  kind: 'Job';
  metadata: KubernetesMetadata;
  spec: {
    /** 0: a failed sandbox is not retried, as a run is not. */
    backoffLimit: number;
    /** .timeout(), in whole seconds from the Job's start. */
    activeDeadlineSeconds?: number;
    template: { metadata: Omit<KubernetesMetadata, 'name'>; spec: KubernetesPodSpec };
  };
}

/** A Kubernetes object's metadata: its name, labels and annotations (cgbox.dev/unexpressed among them). */
export interface KubernetesMetadata {
  name: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The pod the Job makes: never restarted, without the cluster's credentials. */
export interface KubernetesPodSpec {
  restartPolicy: 'Never';
  hostname?: string;
  hostNetwork?: boolean;
  /** false: a sandbox gets no credentials of the cluster, and no service variables in its environment. */
  automountServiceAccountToken: boolean;
  enableServiceLinks: boolean;
  terminationGracePeriodSeconds?: number;
  containers: KubernetesContainer[];
  volumes?: KubernetesVolume[];
}

/** Resource quantities: '500m', '32Mi'. */
export type KubernetesResourceList = Partial<Record<'cpu' | 'memory' | 'ephemeral-storage', string>>;

/** The one container: the image, the command, its resources, securityContext and volumes. */
export interface KubernetesContainer {
  name: string;
  image: string;
  command: string[];
  args: string[];
  workingDir?: string;
  env?: { name: string; value: string }[];
  resources: { limits?: KubernetesResourceList; requests?: KubernetesResourceList };
  securityContext: KubernetesSecurityContext;
  volumeMounts?: KubernetesVolumeMount[];
}

/** The container's securityContext: root, the sandbox's capabilities, no privilege escalation, the image read-only. */
export interface KubernetesSecurityContext {
  runAsUser: number;
  runAsGroup: number;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
}

/** Where a pod volume is mounted in the container. */
export interface KubernetesVolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

/** A pod volume: an emptyDir (a sandbox's tmpfs dirs and volumes) or a hostPath (its binds). */
export type KubernetesVolume =
  | { name: string; emptyDir: { medium?: 'Memory'; sizeLimit?: string } }
  | { name: string; hostPath: { path: string; type: 'Directory' | 'File' } };
