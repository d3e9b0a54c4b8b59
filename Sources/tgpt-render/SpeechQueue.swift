import TGPTCommandSupport
import TGPTEvents

#if canImport(Glibc)
  import Glibc
#endif

/// Speaks sentences one after another, in order, with a speech command (`--speak`), on a
/// thread of its own: `say` only queues, so reading and rendering the stream never wait for
/// the voice. Each sentence runs the command once, in a process group of its own (so `stop`
/// can end it and whatever it started); its stdout goes to our stderr, as stdout carries the
/// rendering. A command that fails is warned about once; the queue goes on.
final class SpeechQueue: @unchecked Sendable {
  private let command: [String]
  private var mutex = pthread_mutex_t()
  private var changed = pthread_cond_t()
  private var pending: [String] = []
  /// Sentences handed to the command so far (`{n}`).
  private var spoken = 0
  /// The process group of the command speaking now (0: none).
  private var speaking: pid_t = 0
  private var busy = false
  private var closed = false
  private var stopped = false
  private var warned = false

  /// `command`: the words of the speech command; see `arguments(sentence:number:)`.
  init(command: [String]) {
    self.command = command
    pthread_mutex_init(&mutex, nil)
    pthread_cond_init(&changed, nil)
    DedicatedThread.start { [self] in work() }
  }

  /// Queues a sentence to be spoken after those before it.
  func say(_ sentence: String) {
    locked {
      guard !stopped, !closed else { return }
      pending.append(sentence)
      pthread_cond_broadcast(&changed)
    }
  }

  /// No more sentences: waits until those queued have been spoken (or `stop`). Blocks: call
  /// it from the main thread, never from a task.
  func finish() {
    locked {
      closed = true
      pthread_cond_broadcast(&changed)
      while !stopped, busy || !pending.isEmpty { pthread_cond_wait(&changed, &mutex) }
    }
  }

  /// Stops at once (a signal): the queue is dropped and the command speaking now is ended
  /// with SIGTERM, its whole process group.
  func stop() {
    locked {
      stopped = true
      pending = []
      if speaking > 0 { kill(-speaking, SIGTERM) }
      pthread_cond_broadcast(&changed)
    }
  }

  /// The command's words with `{}` replaced by the sentence and `{n}` by its number (from 1);
  /// without a `{}`, the sentence is added as the last argument.
  func arguments(sentence: String, number: Int) -> [String] {
    var placed = false
    var words = command.map { word in
      if word.contains("{}") { placed = true }
      return word.replacing("{n}", with: String(number)).replacing("{}", with: sentence)
    }
    if !placed { words.append(sentence) }
    return words
  }

  private func work() {
    while true {
      var sentence = ""
      var number = 0
      var pid: pid_t = 0
      var failure: String?
      let go: Bool = locked {
        while pending.isEmpty, !closed, !stopped { pthread_cond_wait(&changed, &mutex) }
        guard !stopped, !pending.isEmpty else {
          pthread_cond_broadcast(&changed)
          return false
        }
        sentence = pending.removeFirst()
        spoken += 1
        number = spoken
        busy = true
        // Started under the lock, so a `stop` cannot slip in between the start and `speaking`.
        do throws(ChildSpawn.Failure) {
          pid = try ChildSpawn.start(
            arguments(sentence: sentence, number: number), stdin: .null, stdout: .descriptor(2), stderr: .inherit,
            processGroup: true)
          speaking = pid
        } catch {
          failure = "cannot start the speech command: \(error.description)"
        }
        return true
      }
      guard go else { return }
      if pid > 0 {
        let status = ChildSpawn.waitForExit(pid)
        if status != 0 { failure = "the speech command \(command.first ?? "") exited with status \(status)" }
      }
      locked {
        speaking = 0
        busy = false
        if let failure, !warned, !stopped {
          warned = true
          Diagnostics.warning(failure + "; going on without a voice where it fails")
        }
        pthread_cond_broadcast(&changed)
      }
    }
  }

  private func locked<T>(_ body: () -> T) -> T {
    pthread_mutex_lock(&mutex)
    defer { pthread_mutex_unlock(&mutex) }
    return body()
  }
}
