/** Word lists for Fivetran-style `word_word` ids and for names. */

export const ID_WORDS: readonly string[] = (
  'abide acorn adobe agile alarm album alder algae alley alloy amber ample angle ankle anvil apron arbor ' +
  'arena argue armor aroma arrow aspen atlas attic audit avid awake axle bacon badge bagel baker balmy ' +
  'bamboo banjo barge baron basil basin baton beach beacon beard becalm befell begin below bench berry ' +
  'birch bison blade blaze bless bloom bluff board bonus booth bound brave bread brick bride brief brine ' +
  'brisk brook broom brush budge bugle cabin cable cadet camel canal candy canoe cargo carol cedar chalk ' +
  'charm chart chase chess chief chime cider cinch civic claim clamp cliff cloak clove coast cobra comet ' +
  'coral couch crane crisp crown crumb crust cubic curve cycle daisy dance dealt decoy delta depot diner ' +
  'dingo ditch dodge dough dowel draft drama drift drone dune eager eagle easel ebony elbow elder ember ' +
  'emery enjoy epoch equal ether evoke fable facet fancy feast fence ferry fiber field finch fjord flair ' +
  'flask fleet flint flora flute focal foggy forge forum fossil frame fresh frost fruit fudge gable gamut ' +
  'gauge gecko ghost giant glade gleam glide globe glove grain grape graph grove guava guide gusto habit ' +
  'haven hazel heron hinge hoist honey hover humid icing igloo inlet ivory jaunt jelly jewel joint jolly ' +
  'judge juice kayak kebab kettle knack koala label ladle lance latch lemon level lilac linen llama lodge ' +
  'lotus lunar lyric magma mango manor maple march marsh medal melon merit metro mimic minty mocha molar ' +
  'mossy motif mural nacho naval nectar noble north nozzle nutty oasis ocean olive onion opera orbit otter ' +
  'oxide paddle panda parka pasta patio pearl pecan penny perch piano pilot pixel plaza plume polar poppy ' +
  'prism prong proud pulse quail quartz quest quill radar raven recoup relic rhyme ridge rivet robin rocky ' +
  'royal ruby rustic sable saga salsa satin scarf scout sedan sepia shale shore sickle sierra silk sleek ' +
  'slope solar sonic spice spire spruce squid stack stoic sugar swift tango tapir thyme tidal tiger toast ' +
  'topaz torch trail tulip tundra twig umbra unity usher valve vapor velvet vigor viola vivid waltz wharf ' +
  'wheat whisk willow wisp yacht yodel zebra zesty zinc'
).split(' ');

export const GIVEN_NAMES: readonly string[] = (
  'Ada Alan Alice Amara Ana Arjun Aya Ben Bianca Carlos Chen Chloe Dana Dev Diego Elena Emeka Emma Farah ' +
  'Felix Grace Hana Hugo Ines Ivan Jada James Jin Joao Julia Kai Kenji Lars Layla Leo Lina Lucas Maya Mei ' +
  'Mia Nadia Noah Nora Omar Priya Quinn Rafael Rosa Sam Sara Sofia Tariq Theo Uma Vera Wei Yara Yusuf Zoe'
).split(' ');

export const FAMILY_NAMES: readonly string[] = (
  'Abbott Adeyemi Alvarez Andersen Bauer Becker Brooks Castro Chowdhury Costa Dubois Eriksen Fischer ' +
  'Garcia Gupta Haddad Hansen Hughes Ibrahim Ito Jensen Kaur Kim Kowalski Larsen Lopez Martin Meyer Mori ' +
  'Nakamura Nguyen Novak Okafor Olsen Park Patel Perez Quinn Rossi Sato Schmidt Silva Singh Smith Suzuki ' +
  'Tanaka Torres Vogel Wagner Walsh Weber Xu Yamamoto Young Zhang Zimmer'
).split(' ');
