import { describe, expect, it } from 'vitest';
import { formatUnexpressed, unexpressedAnnotation, UNEXPRESSED_ANNOTATION, type Unexpressed } from './unexpressed.js';

const u: Unexpressed = { what: '.pids(32)', effect: 'dropped', why: 'a pod has no pids limit', instead: "the node's" };

describe('the unexpressed list', () => {
  it('as an annotation (JSON, none when empty) and as lines for a person', () => {
    expect(unexpressedAnnotation([u])).toEqual({ [UNEXPRESSED_ANNOTATION]: JSON.stringify([u]) });
    expect(unexpressedAnnotation([])).toEqual({});
    expect(formatUnexpressed('Job', [u])).toBe("1 part of the sandbox is not expressed exactly in the Job:\n  - .pids(32) (dropped): a pod has no pids limit; instead: the node's\n");
    expect(formatUnexpressed('bundle', [])).toBe('everything of the sandbox is expressed in the bundle\n');
  });
});
