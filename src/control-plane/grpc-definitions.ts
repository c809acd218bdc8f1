// grpc-js service definitions built from our protobuf Root, with our codec as the (de)serializers, and the
// matching @grpc/proto-loader PackageDefinition for reflection or grpc.loadPackageDefinition.
import type { ServiceDefinition } from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { decodeMessage, encodeMessage, protoRoot } from '../connector/index.js';

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/**
 * @grpc/grpc-js service definition for a service in protos/ (e.g. 'c1.connectorapi.baton.v1.BatonService'),
 * keyed by method name ('Hello', 'GetTask', ...). Requests and responses go through encodeMessage and
 * decodeMessage, so clients and servers see the same model shape as the rest of the code.
 */
export const grpcServiceDefinition = (serviceFullName: string): ServiceDefinition => {
  const service = protoRoot().lookupService(serviceFullName);
  const def: Record<string, ServiceDefinition[string]> = {};
  for (const m of service.methodsArray) {
    m.resolve();
    const req = m.resolvedRequestType!.fullName.slice(1);
    const res = m.resolvedResponseType!.fullName.slice(1);
    def[m.name] = {
      path: `/${service.fullName.slice(1)}/${m.name}`,
      requestStream: m.requestStream === true,
      responseStream: m.responseStream === true,
      requestSerialize: (v: object) => Buffer.from(encodeMessage(req, v)),
      requestDeserialize: (b: Buffer) => decodeMessage(req, b),
      responseSerialize: (v: object) => Buffer.from(encodeMessage(res, v)),
      responseDeserialize: (b: Buffer) => decodeMessage(res, b),
      originalName: lowerFirst(m.name),
    };
  }
  return def;
};

/**
 * A @grpc/proto-loader PackageDefinition of the same Root (`fromJSON(root.toJSON())`, for
 * `grpc.loadPackageDefinition` or reflection), whose service methods use our codec instead of proto-loader's.
 * The proto-loader options only shape its own type definitions: camelCase, enums as String, longs as Number,
 * no defaults, oneofs on, as decodeMessage does.
 */
export const grpcPackageDefinition = (): protoLoader.PackageDefinition => {
  const root = protoRoot();
  const def = protoLoader.fromJSON(root.toJSON(), {
    keepCase: false,
    enums: String,
    longs: Number,
    defaults: false,
    oneofs: true,
  });
  for (const name of collectServices(root)) {
    const methods = def[name] as protoLoader.ServiceDefinition;
    for (const [method, ours] of Object.entries(grpcServiceDefinition(name))) {
      const { requestSerialize, requestDeserialize, responseSerialize, responseDeserialize } = ours;
      Object.assign(methods[method]!, {
        requestSerialize,
        requestDeserialize,
        responseSerialize,
        responseDeserialize,
      });
    }
  }
  return def;
};

const collectServices = (ns: protobuf.NamespaceBase): string[] =>
  ns.nestedArray.flatMap((n) =>
    n instanceof protobuf.Service
      ? [n.fullName.slice(1)]
      : n instanceof protobuf.Namespace || n instanceof protobuf.Type
        ? collectServices(n)
        : [],
  );
