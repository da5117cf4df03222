import type { DemoCompany } from '../../scripts/demo/companies.js';

/**
 * The hard half of the relevance set. Paraphrases: one query per demo company, written by hand to say
 * what the company does without its name, tags or description words (relevance.ts reports how many
 * still share a stemmed word with the answer). Distractors: for every company, a document that repeats
 * its tags, industry and region but is about no company (a conference agenda), so that the templated
 * queries ("<tag> and <tag> company in <region>") meet a look-alike that is not the answer.
 */
export const PARAPHRASES: Record<string, string> = {
  stripeline: 'firm that lets shops take plastic and web purchases, based on the American west coast',
  ledgerly: 'tool for tiny firms to keep their books and view balances at several lenders, Dutch',
  pagoverde: 'real-time transfers and wages remitted by households in Rio',
  kreditkai:
    'split a purchase into instalments, borrowers judged on unusual signals, Indonesia Vietnam Thailand',
  vaultwise: 'spotting illicit funds and suspicious transfers for neobanks',
  clearharbor: 'currency hedging and cash positioning tools for CFO offices',
  nordfrakt: 'refrigerated lorries and chilled storage in Scandinavia',
  portavia: 'box shipping quays with train connections',
  swiftmile: 'getting parcels to doorsteps within hours for web shops in the US',
  cargolink: 'airfreight and border paperwork agent on the Shanghai to Rotterdam lane',
  andesfreight: 'big lorries hauling ore and goods across Andean mountain passes to Lima',
  warehouseiq: 'stock-keeping programs that direct autonomous pickers in distribution centres',
  medicore: 'American chain of day surgeries paid on patient outcomes',
  carepath: 'video doctor visits and wearable tracking of long-term illness',
  dentaly: 'roll-up of teeth practices in Barcelona, Milan and Rome',
  sanatech: 'pathology labs and scanners in Mumbai and Delhi',
  vitalab: 'cancer biologics still being tested on patients in mid-stage studies',
  genexa: 'one-time DNA treatments for orphan conditions and AAV production',
  biomira: 'cheaper copies of diabetes medicines made for third parties',
  helios: 'large sun farms on the Iberian peninsula selling electricity on decade-spanning offtake deals',
  boreawind: 'building marine windmills off Denmark and Scotland and servicing them',
  gridstore: 'huge accumulators that stabilise the electricity system in the US',
  solandes: 'Chilean sun farms and a clean fuel trial',
  sunfund: 'long-hold investor in green power plants and batteries',
  kestrel: 'US financial sponsor taking control of medical and B2B outsourcing groups',
  alpenrock: 'sponsor buying corporate spin-offs of German, Austrian and Swiss engineering firms',
  lionrock: 'minority investor backing Indonesian and Vietnamese shopping and payments brands',
  condor: 'sponsor backing freight and toll-road concessions in Lima, Santiago and Bogota',
  sequel: 'backs first-cheque startups building coding kits and money apps',
  northstar: 'European early-stage backer of decarbonisation and medical startups',
  dragonfly: 'Asian backer of chip and automation startups',
  meridian: 'adviser that represents sellers and opines whether a price is reasonable',
  thamesbridge: 'British adviser on takeovers, borrowing and distressed turnarounds',
  lotus: 'adviser listing issuers on stock exchanges and on Osaka to Singapore takeovers',
  sentinel: 'protecting laptops and servers from hackers and tracking attackers',
  cipherwall: 'never-assume-safe login controls and who-can-enter policies',
  quantumshield: 'ciphers that survive future computers, plus key-storing appliances',
  safenet: 'checking AWS and Azure setups for misconfiguration and audit readiness',
  siliconvale: 'makes microchips designed by others, to order, in Taiwan',
  photonix: 'light-driven microelectronics for self-driving car sensors and server interconnects',
  voltchip: 'SiC switches for EV drivetrains',
  edgemind: 'neural network processors for smart doorbells and drones',
  modamarket: 'clothing website that handles its own refunds logistics',
  shopnest: 'buying through influencer feeds in Surabaya and Hanoi',
  mercadolux: 'supermarket orders delivered in under half an hour across Guadalajara and Monterrey',
  cartwise: 'payment page and recurring billing plug-ins for labels that bypass retailers',
  agrinova: 'crop commodity trader helping Brazilian soy growers with data-driven fields',
  freshfields: 'store-brand and meat-free groceries for grocery chains',
  verdefarm: 'stacked greenhouses producing lettuce beside metropolitan areas',
  oceanharvest: 'fish farming and filleting in pens off Tasmania and Japan',
  robotek: 'mechanical arms and cameras that inspect automotive assembly',
  flowcontrol: 'pipeline shut-off hardware and SCADA for petrochemical sites',
  sensorgrid: 'connected gauges that foresee when factory machines will break',
  printforge: 'layer-by-layer fabrication of titanium pieces for planes and implants',
  streamwave: 'pay-monthly TV app producing its own shows',
  newsprism: 'online newspaper that charges after a few free articles',
  adverto: 'automated marketing placements inside phone puzzle apps',
  sonora: 'audio platform and label support for Hispanic listeners',
  assurex: 'cover for factories and niche risks, plus risk transfer to other carriers',
  insurely: 'policies bundled into other programs for tiny firms',
  safeharbor: "death and medical policies distributed at lenders' counters in Thailand and Malaysia",
  gulfbridge: 'state-funded Gulf sponsor of ports and power',
  savannapay: 'phone-based e-cash and cash-in points around Mombasa',
  desertsun: 'sun farms and seawater-to-drinking-water plants in the Maghreb',
  capelogix: 'harbour warehousing and chilled handling of citrus shipped from Durban',
};

/** Look-alikes: a company's tags, industry and region, about no company at all. */
export function distractors(companies: readonly DemoCompany[]) {
  return companies.map((c) => ({
    externalId: `distractor-${c.ref}`,
    kind: 'news' as const,
    title: `Conference agenda: ${c.industry} in ${c.region}`,
    content:
      `Panels at this year's ${c.region} ${c.industry.toLowerCase()} summit: ${c.tags.join(', ')}. ` +
      `Speakers from regulators and trade bodies discuss ${c.tags[0]} and ${c.tags[1]} trends; ` +
      'no company is profiled and no transaction is discussed. Registration closes next month.',
    metadata: { industry: c.industry, region: c.region, tags: c.tags },
  }));
}
