export {
  hasInterfaceAddress,
  isOnLink,
  isUsableUnicast,
  lanAddresses,
  localNameOf,
  localNameOfUrl,
  urlWithAddress,
  LOCAL_TLD,
} from './mdns-address'
export type { InterfaceTable } from './mdns-address'
export { addressAnswersOf, preferredAddress, MAX_TTL_S } from './mdns-answers'
export type { AddressAnswers, AddressRecord } from './mdns-answers'
export { AddressCache } from './address-cache'
export {
  defaultBonjourFactory,
  defaultMdnsSocketFactory,
  describeMdnsSocketError,
  mdnsSocketOptions,
  ThrottledWarnings,
} from './mdns-socket'
export type { BonjourFactory, BonjourInstance, MdnsSocket, MdnsSocketFactory } from './mdns-socket'
export { MdnsResolver } from './mdns-resolver'
export type {
  MdnsResolverOptions,
  ResolveFailureKind,
  ResolveLocalOptions,
  ResolveLocalResult,
} from './mdns-resolver'
export { MdnsDiscoverer, OLLAMA_SERVICE_TYPE, serviceEntryOf } from './mdns-discoverer'
export type { MdnsDiscovererOptions, SeenService, ServiceEntry } from './mdns-discoverer'
export {
  ADVERTISER_ID_FILE,
  loadAdvertiserId,
  localOllamaPort,
  MdnsAdvertiser,
} from './mdns-advertiser'
export type { AdvertiserState, MdnsAdvertiserOptions } from './mdns-advertiser'
export { MdnsServices } from './mdns-services'
export type { MdnsServicesOptions } from './mdns-services'
