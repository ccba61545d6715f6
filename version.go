package passerelle

// Version is the release this source is: the OpenAPI document's info.version
// (served and committed) and the binary's default version. A release is tagged
// "v"+Version. A change that breaks the API needs a new major version
// (docs/integrators.md); TestNoUnannouncedBreakingChange holds it.
const Version = "1.0.0"
