/**
 * @packageDocumentation
 * `@kluis/core/testing`: the transport conformance suite and fault-injecting wrappers, for anyone
 * who implements a {@link Transport}.
 */
export {};
