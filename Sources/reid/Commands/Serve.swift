import ArgumentParser
import Foundation
import Hummingbird
import ReID
import ReIDGallery
import ReIDService
import Torch

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a gallery over HTTP: search by upload, add/remove crops, a web page at /.",
        discussion: """
            JSON API (OpenAPI document at /openapi.yaml):
              POST   /v1/search              multipart `image` (+ top, rerank, camera_exclude)
              POST   /v1/gallery             multipart `image` parts (+ camera, track_id, time)
              DELETE /v1/gallery/{id}
              GET    /v1/gallery/{id}/image
              GET    /v1/health              (no token needed)
              GET    /metrics                Prometheus text format
            Every path but /v1/health, / and /openapi.yaml needs
            `Authorization: Bearer <token>`, the first line of --token-file.
            Uploads above --max-upload-mb get 413; bytes that are not an image 415.
            Uploaded crops are stored in --uploads (default <db>.uploads/). The faiss
            file is re-written every --persist-every seconds while changed, and on exit.

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
    @Option(help: "Seconds between faiss file writes while the gallery changes.") var persistEvery: Double = 30

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1…65535") }
        guard maxUploadMb > 0 else { throw ValidationError("--max-upload-mb must be positive") }
    }

    func run() throws {
        Runtime.configure()
        let token = try GalleryService.token(fromFile: tokenFile)
        let index = try GalleryIndex(store: GalleryStore(path: db))
        let embedder = try GalleryEmbedder(identity: index.identity)
        try embedder.warmUp()
        let settings = GalleryService.Settings(uploadsDirectory: uploads ?? db + ".uploads",
                                               maxUploadBytes: Int(maxUploadMb * 1_048_576))
        let service = try GalleryService(index: index, embedder: embedder, token: token, settings: settings)
        let app = service.application(host: host, port: port)
        print("serving \(db) (\(index.count) items, \(index.identity.model)) on http://\(host):\(port)/")
        let done = DispatchSemaphore(value: 0)
        let failure = LockedBox<Error?>(nil)
        let interval = persistEvery
        let persister = Task.detached {
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
        if let error = failure.value { throw error }
    }
}

/// A value shared between a task and the thread that waits for it.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
