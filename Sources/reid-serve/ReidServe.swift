import ArgumentParser
import Foundation
import Hummingbird
import NIOCore
import ReID
import ReIDGallery
import ReIDCommandOptions
import ReIDService
import Torch

/// `reid serve`: the HTTP service as its own program, so that building `reid` (what `make demo`
/// waits for) does not compile Hummingbird and SwiftNIO. `reid serve …` runs this program with
/// the same arguments; it can also be run directly as `reid-serve`.
@main
struct ReidServe: ParsableCommand {
    /// Restarts with OpenBLAS's widest kernels first where Debian's OpenBLAS picked narrow ones
    /// (`BLASKernels`), then parses and runs the command.
    static func main() {
        BLASKernels.relaunchWithWidestKernelsIfNeeded()
        main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "reid serve",
        abstract: "Serve a gallery over HTTP: search by upload, add/remove crops, a web page at /.",
        discussion: """
            JSON API (OpenAPI document at /openapi.yaml):
              POST   /v1/search              multipart `image` (+ top, rerank, camera_exclude)
              POST   /v1/gallery             multipart `image` parts (+ camera, track_id, time)
              DELETE /v1/gallery/{id}
              GET    /v1/gallery/{id}/image
              GET    /v1/health              (no token needed)
              GET    /metrics                Prometheus text format
            Every path but /v1/health, /, /app.js, /app.css and /openapi.yaml needs
            `Authorization: Bearer <token>`, the first line of --token-file.
            Limits (each answered with a JSON error, never a crash):
              uploads above --max-upload-mb get 413; bytes that are not an image 415;
              an image whose header declares more than --max-pixels pixels 413,
              before it is decoded; more than 64 images or 80 parts per request 400;
              a field out of range (time, camera, track_id, top…) 400 naming it.
            Slow clients: the request head must arrive within --header-timeout
            seconds, its body within --body-timeout; idle connections close after
            --idle-timeout; at most --max-connections are open at once.
            Uploaded crops are stored in --uploads (default <db>.uploads/); deleting
            an item deletes its stored crop, and crops no item points to are removed
            at start-up. The faiss file is re-written every --persist-every seconds
            while changed (0: only on exit), and on exit.

            Example:
              openssl rand -hex 32 > token.txt
              reid serve --db gallery.sqlite --port 8080 --token-file token.txt
              curl -H "Authorization: Bearer $(cat token.txt)" \\
                   -F image=@person.jpg -F top=5 http://127.0.0.1:8080/v1/search
            """
    )

    @Option(help: "Gallery database (made by `reid index build`).") var db: String
    @Option(help: "TCP port.") var port: Int = 8080
    @Option(help: "Address to listen on; 127.0.0.1 keeps the service on this machine.") var host: String = "127.0.0.1"
    @Option(help: "File whose first line is the bearer token.") var tokenFile: String
    @Option(help: "Largest upload accepted, in MiB.") var maxUploadMb: Double = 8
    @Option(help: "Folder for crops added through the API.") var uploads: String?
    @OptionGroup var runCheck: RunCheckOption
    @OptionGroup var deviceOption: DeviceOption
    @OptionGroup var precisionOption: PrecisionOption
    @Option(help: "Seconds between faiss file writes while the gallery changes; 0 writes only on exit.")
    var persistEvery: Double = 30
    @Option(help: "Most pixels one uploaded image may declare (checked in its header before decoding).")
    var maxPixels: Int = ImageLimits.defaultMaxPixels
    @Option(help: "Seconds a new connection has to send its request head.") var headerTimeout: Double = 10
    @Option(help: "Seconds a request has to send its body after its head.") var bodyTimeout: Double = 60
    @Option(help: "Seconds an idle keep-alive connection stays open.") var idleTimeout: Double = 60
    @Option(help: "Most connections open at once.") var maxConnections: Int = 4096

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1…65535") }
        guard maxUploadMb.isFinite, maxUploadMb > 0, maxUploadMb <= 1024 else {
            throw ValidationError("--max-upload-mb must be a number from 0 to 1024, not \(maxUploadMb)")
        }
        guard persistEvery.isFinite, persistEvery >= 0 else {
            throw ValidationError("--persist-every must be 0 (write only on exit) or a positive number of seconds, not \(persistEvery)")
        }
        guard maxPixels > 0 else { throw ValidationError("--max-pixels must be positive") }
        try settings().validate()
    }

    func settings() -> GalleryService.Settings {
        var settings = GalleryService.Settings(uploadsDirectory: uploads ?? db + ".uploads",
                                               maxUploadBytes: Int(maxUploadMb * 1_048_576))
        settings.maxPixels = maxPixels
        settings.maxRequestPixels = max(settings.maxRequestPixels, maxPixels)
        settings.headerTimeout = headerTimeout
        settings.bodyTimeout = bodyTimeout
        settings.idleTimeout = idleTimeout
        settings.maxConnections = maxConnections
        return settings
    }

    func run() throws {
        Runtime.configure()
        let token = try GalleryService.token(fromFile: tokenFile)
        let index = try GalleryIndex(store: GalleryStore(path: db))
        try runCheck.check(index.identity, db: db)
        let device = try deviceOption.resolve()
        let embedder = try GalleryEmbedder(identity: index.identity, device: device,
                                           precision: precisionOption.resolve(on: device))
        try embedder.warmUp()
        ImageLimits.maxPixels = maxPixels
        let service = try GalleryService(index: index, embedder: embedder, token: token, settings: settings())
        let app = service.application(host: host, port: port)
        print("serving \(db) (\(index.count) items, \(index.identity.model)) on http://\(host):\(port)/")
        let done = DispatchSemaphore(value: 0)
        let failure = LockedBox<Error?>(nil)
        let interval = persistEvery
        let persister = Task.detached {
            guard interval > 0 else { return }
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                if index.isDirty { try? index.persist() }
            }
        }
        Task.detached {
            do { try await app.runService() } catch { failure.value = error }
            done.signal()
        }
        done.wait()
        persister.cancel()
        if index.isDirty { try index.persist() }
        if let error = failure.value {
            if let io = error as? IOError, io.errnoCode == EADDRINUSE {
                throw ValidationError("port \(port) on \(host) is already in use (another server?); stop it or choose another with --port")
            }
            throw error
        }
    }
}
