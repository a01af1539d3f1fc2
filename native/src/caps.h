#ifndef CGBOX_CAPS_H
#define CGBOX_CAPS_H

/*
 * Keeps only the capabilities in `mask_hex` (bit N = capability N): the
 * bounding set dropped to them (what root gets back at every execve), the
 * permitted and effective sets set to them, inheritable and ambient cleared,
 * and no_new_privs, so no setuid binary or file capability can add one back.
 * Raw prctl/capset: no libcap, so the helper also links statically.
 */
void keep_capabilities(const char *mask_hex);

#endif
