import Foundation

extension TrainingConfig.ModelSection {
    /// The section with a training run as its initial weights (`--init runs/x`, `run:runs/x`, or
    /// a checkpoint inside a run folder) spelled out: the run's architecture (its backbone, or its
    /// copy of the ONNX graph it was built on, and last stride) and the absolute checkpoint path.
    /// Adapting a model already adapted then needs nothing but the run. Other sections are
    /// returned unchanged. The run's architecture wins over the config's: weights of one network
    /// cannot initialise another. `note` says what was taken from the run.
    public func resolvingRunInitialisation() throws -> (section: TrainingConfig.ModelSection, note: String?) {
        guard let folder = Self.runFolder(initialWeights) else { return (self, nil) }
        let spec = RunModel.directory(of: initialWeights) ?? initialWeights
        let run = try RunModel(directory: spec)
        var section = self
        var runSection = run.config.model.resolved
        let copy = RunDirectory(run.directory).backboneGraph
        if BackboneRegistry.onnxPath(runSection.backbone) != nil, FileManager.default.fileExists(atPath: copy) {
            runSection.backbone = BackboneRegistry.onnxPrefix + copy
        }
        let changed = section.backbone != runSection.backbone && section.resolved.backbone != runSection.backbone
        section.backbone = runSection.backbone
        section.lastStride = runSection.lastStride
        section.initialWeights = run.checkpoint
        let note = "initialising from the run \(folder): \(runSection.backbone), weights \(run.checkpoint)"
            + (changed ? " (the config's model.backbone \(backbone) is replaced by the run's)" : "")
        return (section, note)
    }

    /// The run folder `spec` names: `run:DIR`, a folder with a config.yaml, or a checkpoint file
    /// next to one; nil for anything else (a weight file, an ONNX file, nothing).
    static func runFolder(_ spec: String) -> String? {
        if spec.isEmpty { return nil }
        if let folder = RunModel.directory(of: spec) { return folder }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: spec, isDirectory: &isFolder) else { return nil }
        let folder = isFolder.boolValue ? spec : (URL(fileURLWithPath: spec).standardizedFileURL.path as NSString).deletingLastPathComponent
        guard isFolder.boolValue || spec.hasSuffix(".safetensors") else { return nil }
        return FileManager.default.fileExists(atPath: RunDirectory(folder).config) ? folder : nil
    }
}
