"""The authoring vocabulary and evaluation: specs, Derivation, registry, instances, numerics, ML functions."""
