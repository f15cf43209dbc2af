import ArgumentParser
import ReID

/// `--random-init`, shared by the commands that run a named backbone: without weights a registry
/// backbone is randomly initialised, and its features are noise that looks like a result. Such a
/// run is refused unless the user says it is meant (a smoke test, a speed test).
struct RandomInitOption: ParsableArguments {
    @Flag(help: "Allow a registry backbone without --weights (random weights: for smoke and speed tests only).")
    var randomInit = false

    /// Throws unless `model` has weights, brings its own (onnx:, color-histogram) or --random-init is set.
    func check(model: String, weights: String?) throws {
        // Only registry backbones take random weights; other names fail later with the known list.
        guard weights == nil, !randomInit, BackboneRegistry.knownNames.contains(model) else { return }
        throw ValidationError("--model \(model) without --weights would run on random weights, whose features are "
            + "meaningless. Give --weights FILE (a run's best.safetensors, ImageNet .safetensors/.pth), an onnx:MODEL, "
            + "or --random-init if random weights are what you want")
    }
}
