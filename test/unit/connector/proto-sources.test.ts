// Building the protobuf Root from in-memory sources, as the single-executable build does with its embedded
// protos: no file is read, well-known imports come from protobufjs, and a missing import is named.
import { describe, expect, it } from '@jest/globals';
import {
  embeddedKeys,
  embeddedText,
  runningAsSingleExecutable,
} from '../../../src/connector/embedded-assets.js';
import { buildProtoRoot } from '../../../src/connector/proto.js';

const A = `syntax = "proto3";
package demo.v1;
import "demo/v1/b.proto";
import "google/protobuf/timestamp.proto";
message A { B b = 1; google.protobuf.Timestamp at = 2; int64 big_number = 3; }`;
const B = `syntax = "proto3";
package demo.v1;
message B { string display_name = 1; }`;

describe('buildProtoRoot', () => {
  it('resolves imports among the sources and google/protobuf/* without reading any file', () => {
    // The names are not paths on disk: a read would fail.
    const root = buildProtoRoot([
      { name: 'demo/v1/a.proto', text: A },
      { name: 'demo/v1/b.proto', text: B },
    ]);
    const a = root.lookupType('demo.v1.A');
    expect(a.fields.b!.resolvedType!.fullName).toBe('.demo.v1.B');
    expect(a.fields.at!.resolvedType!.fullName).toBe('.google.protobuf.Timestamp');
    expect(Object.keys(root.lookupType('demo.v1.B').fields)).toEqual(['displayName']); // camelCase, as from disk
    expect(Object.keys(a.fields)).toContain('bigNumber');
  });

  it('names an import that is neither a source nor a bundled well-known type', () => {
    expect(() => buildProtoRoot([{ name: 'demo/v1/a.proto', text: A }])).toThrow(
      'baton-fivetran: protos import missing files: demo/v1/b.proto',
    );
  });
});

describe('embedded assets outside a single executable', () => {
  it('report none, so callers read from disk', () => {
    expect(runningAsSingleExecutable()).toBe(false);
    expect(embeddedText('package.json')).toBeUndefined();
    expect(embeddedKeys('protos/')).toEqual([]);
  });
});
