// SextantControllers module.
