// SextantAPI module.
