import ArgumentParser
import ReID
import ReIDGallery

/// `--run DIR` on commands that use a gallery's own model (search, serve): the gallery must have
/// been indexed with this run's checkpoint, else the command stops and says which model it has.
public struct RunCheckOption: ParsableArguments {
    @Option(name: .customLong("run"), help: "Check that the gallery was indexed with this training run (its best checkpoint).")
    public var runDirectory: String?

    public init() {}

    public func check(_ gallery: GalleryModelIdentity, db: String) throws {
        guard let runDirectory else { return }
        let run = try RunModel(directory: runDirectory)
        let asked = try GalleryModelIdentity.fingerprint(model: run.spec, weights: run.checkpoint,
                                                         height: run.height, width: run.width)
        try gallery.requireSameModel(as: asked, gallery: db)
    }
}
