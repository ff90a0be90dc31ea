//! The audible alarm: a short tone per priority, synthesised as a WAV in memory (sine bursts; no audio crate and
//! no build-time system library) and played by a program found at run time (`paplay`, `pw-play` or `aplay` on
//! Linux, `afplay` on macOS, PowerShell's `Media.SoundPlayer` on Windows).
//!
//! Owns: the tones (critical: fast high beeps; high: three medium beeps; low: one low tone), the WAV encoding,
//! finding the player and running it on a thread of its own (one tone at a time). When no player is found, or it
//! fails, it says so once with `Event::AudioUnavailable` and stays silent.
//! Must not touch: egui, the model; it decides nothing about *when* to sound (`model::sound` does).

use super::sink::EventSink;
use crate::protocol::Event;
use chrono::Utc;
use flowline_shared::alarms::AlarmPriority;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// Samples per second of the synthesised tones.
pub const SAMPLE_RATE: u32 = 16_000;
/// Peak amplitude, as a share of full scale.
const AMPLITUDE: f64 = 0.5;
/// Fade in and out of each burst, against clicks.
const FADE_SECS: f64 = 0.005;
/// A player still running after this long is stopped and counted as failed (e.g. waiting for a sound server).
const PLAY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);
/// Size of the canonical PCM WAV header.
pub const HEADER_LEN: usize = 44;

/// One priority's pattern: `count` bursts of `frequency` Hz lasting `on` seconds, `off` seconds apart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tone {
    pub frequency: f64,
    pub on: f64,
    pub off: f64,
    pub count: u32,
}

/// Critical: six fast high beeps; high: three medium beeps; low: one long low tone.
pub fn tone(priority: AlarmPriority) -> Tone {
    match priority {
        AlarmPriority::Critical => Tone { frequency: 1_400.0, on: 0.12, off: 0.08, count: 6 },
        AlarmPriority::High => Tone { frequency: 880.0, on: 0.2, off: 0.15, count: 3 },
        AlarmPriority::Low => Tone { frequency: 440.0, on: 0.5, off: 0.0, count: 1 },
    }
}

impl Tone {
    /// Length of the whole pattern in samples (the last burst has no pause after it).
    pub fn samples(&self) -> usize {
        let on = secs_to_samples(self.on);
        let off = secs_to_samples(self.off);
        let count = self.count as usize;
        on * count + off * count.saturating_sub(1)
    }
}

fn secs_to_samples(secs: f64) -> usize {
    (secs * f64::from(SAMPLE_RATE)).round() as usize
}

/// The pattern as a mono 16-bit PCM WAV file.
pub fn wav(tone: Tone) -> Vec<u8> {
    let on = secs_to_samples(tone.on);
    let off = secs_to_samples(tone.off);
    let fade = secs_to_samples(FADE_SECS).max(1);
    let mut samples: Vec<i16> = Vec::with_capacity(tone.samples());
    for burst in 0..tone.count {
        for n in 0..on {
            let t = n as f64 / f64::from(SAMPLE_RATE);
            let envelope = (n.min(on - 1 - n) as f64 / fade as f64).min(1.0);
            let value = (std::f64::consts::TAU * tone.frequency * t).sin() * AMPLITUDE * envelope;
            samples.push((value * f64::from(i16::MAX)).round() as i16);
        }
        if burst + 1 < tone.count {
            samples.extend(std::iter::repeat_n(0, off));
        }
    }
    encode(&samples)
}

/// RIFF/WAVE container around 16-bit mono samples.
fn encode(samples: &[i16]) -> Vec<u8> {
    let data_len = u32::try_from(samples.len() * 2).unwrap_or(u32::MAX);
    let mut out = Vec::with_capacity(HEADER_LEN + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVE");
    out.extend_from_slice(b"fmt ");
    out.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    out.extend_from_slice(&(SAMPLE_RATE * 2).to_le_bytes()); // bytes per second
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for sample in samples {
        out.extend_from_slice(&sample.to_le_bytes());
    }
    out
}

/// A program that plays a WAV file given as its last argument (or inside its script, on Windows).
#[derive(Debug, Clone, PartialEq)]
pub struct Player {
    pub program: PathBuf,
    pub args: Vec<String>,
}

impl Player {
    fn command(&self, file: &Path) -> std::process::Command {
        let mut command = std::process::Command::new(&self.program);
        if cfg!(windows) {
            // A single-quoted PowerShell string: a quote inside is doubled.
            let path = file.display().to_string().replace('\'', "''");
            let script = format!("(New-Object Media.SoundPlayer '{path}').PlaySync()");
            command.args(&self.args).arg(script);
        } else {
            command.args(&self.args).arg(file);
        }
        command.stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null());
        command.stderr(std::process::Stdio::null());
        command
    }

    fn name(&self) -> String {
        self.program.file_name().map_or_else(|| self.program.display().to_string(), |n| n.to_string_lossy().into())
    }
}

/// The players to look for on this platform, best first: (program, arguments before the file).
fn candidates() -> &'static [(&'static str, &'static [&'static str])] {
    if cfg!(target_os = "macos") {
        &[("afplay", &[])]
    } else if cfg!(windows) {
        &[("powershell.exe", &["-NoProfile", "-NonInteractive", "-Command"])]
    } else {
        &[("paplay", &[]), ("pw-play", &[]), ("aplay", &["-q"])]
    }
}

/// The first candidate found on `path` (a `PATH`-style list of folders).
pub fn find_player(path: &std::ffi::OsStr) -> Option<Player> {
    let dirs: Vec<PathBuf> = std::env::split_paths(path).collect();
    candidates().iter().find_map(|(name, args)| {
        dirs.iter()
            .map(|dir| dir.join(name))
            .find(|file| file.is_file())
            .map(|program| Player { program, args: args.iter().map(|a| (*a).to_owned()).collect() })
    })
}

/// Runs the player on `file` and waits for it, at most [`PLAY_TIMEOUT`]; the error is for the user.
fn run_once(player: &Player, file: &Path) -> Result<(), String> {
    let name = player.name();
    let mut child =
        player.command(file).spawn().map_err(|e| format!("the audio player {name} could not start: {e}"))?;
    let deadline = std::time::Instant::now() + PLAY_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("the audio player {name} failed ({status})")),
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("the audio player {name} did not finish within {} s", PLAY_TIMEOUT.as_secs()));
            }
            Err(e) => return Err(format!("the audio player {name} could not be watched: {e}")),
        }
    }
}

/// What the I/O thread keeps: the player (looked up at the first tone), the WAV files written so far, and
/// whether a tone is playing.
pub struct AlarmAudio {
    player: OnceLock<Option<Player>>,
    folder: PathBuf,
    playing: Arc<AtomicBool>,
    /// Set once audio was reported unavailable: nothing more is tried.
    off: Arc<AtomicBool>,
}

impl Default for AlarmAudio {
    fn default() -> Self {
        Self::new(std::env::temp_dir())
    }
}

impl AlarmAudio {
    /// WAV files go to `folder`.
    pub fn new(folder: PathBuf) -> Self {
        Self {
            player: OnceLock::new(),
            folder,
            playing: Arc::new(AtomicBool::new(false)),
            off: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Plays the tone of `priority` unless one is still playing; reports once when it cannot.
    pub fn play(&self, priority: AlarmPriority, sink: &EventSink) {
        if self.off.load(Ordering::SeqCst) || self.playing.load(Ordering::SeqCst) {
            return;
        }
        let found = self.player.get_or_init(|| find_player(&std::env::var_os("PATH").unwrap_or_default()));
        let Some(player) = found.clone() else {
            self.give_up("no audio player found".to_owned(), sink);
            return;
        };
        let file = self.file(priority);
        if !file.is_file()
            && let Err(e) = std::fs::write(&file, wav(tone(priority)))
        {
            self.give_up(format!("cannot write the alarm tone to {}: {e}", file.display()), sink);
            return;
        }
        self.playing.store(true, Ordering::SeqCst);
        let (playing, off, events) = (Arc::clone(&self.playing), Arc::clone(&self.off), sink.clone());
        let spawned = std::thread::Builder::new().name("flowline-audio".to_owned()).spawn(move || {
            let failure = run_once(&player, &file).err();
            if let Some(reason) = failure
                && !off.swap(true, Ordering::SeqCst)
            {
                tracing::warn!("{reason}");
                events.send(Event::AudioUnavailable { reason, at: Utc::now() });
            }
            // Last, so that the next tone sees a failure reported above.
            playing.store(false, Ordering::SeqCst);
        });
        if let Err(e) = spawned {
            self.playing.store(false, Ordering::SeqCst);
            self.give_up(format!("cannot start the audio thread: {e}"), sink);
        }
    }

    /// Where the tone of `priority` is written (one file per process and priority).
    fn file(&self, priority: AlarmPriority) -> PathBuf {
        self.folder.join(format!("flowline-alarm-{}-{}.wav", priority.as_str(), std::process::id()))
    }

    fn give_up(&self, reason: String, sink: &EventSink) {
        if !self.off.swap(true, Ordering::SeqCst) {
            tracing::warn!("{reason}; audible alarms are off");
            sink.send(Event::AudioUnavailable { reason, at: Utc::now() });
        }
    }
}

impl Drop for AlarmAudio {
    /// Removes the tones written to the temp folder (a tone still playing keeps its open file on Unix).
    fn drop(&mut self) {
        for priority in AlarmPriority::ALL {
            let _ = std::fs::remove_file(self.file(priority));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn u32_at(bytes: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
    }

    fn samples(bytes: &[u8]) -> Vec<i16> {
        bytes[HEADER_LEN..].chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect()
    }

    /// The frequency of the first burst, from its zero crossings.
    fn first_burst_frequency(samples: &[i16], tone: Tone) -> f64 {
        let burst = &samples[..secs_to_samples(tone.on)];
        let crossings = burst.windows(2).filter(|w| (w[0] < 0) != (w[1] < 0)).count();
        crossings as f64 / 2.0 / tone.on
    }

    #[test]
    fn the_wav_has_a_pcm_header_and_the_patterns_length() {
        for priority in AlarmPriority::ALL {
            let tone = tone(priority);
            let bytes = wav(tone);
            assert_eq!(&bytes[0..4], b"RIFF");
            assert_eq!(&bytes[8..16], b"WAVEfmt ");
            assert_eq!(u32_at(&bytes, 4) as usize, bytes.len() - 8, "RIFF size");
            assert_eq!(u32_at(&bytes, 24), SAMPLE_RATE);
            assert_eq!(&bytes[36..40], b"data");
            assert_eq!(u32_at(&bytes, 40) as usize, tone.samples() * 2, "data size");
            assert_eq!(bytes.len(), HEADER_LEN + tone.samples() * 2);
            let seconds = tone.samples() as f64 / f64::from(SAMPLE_RATE);
            assert!((0.3..=2.0).contains(&seconds), "{priority:?}: {seconds} s");
            let peak = samples(&bytes).iter().map(|s| s.unsigned_abs()).max().unwrap();
            assert!(peak > 10_000 && peak < 20_000, "half scale: {peak}");
        }
    }

    #[test]
    fn the_priorities_sound_different() {
        let frequency = |p| {
            let tone = tone(p);
            first_burst_frequency(&samples(&wav(tone)), tone)
        };
        let (critical, high, low) =
            (frequency(AlarmPriority::Critical), frequency(AlarmPriority::High), frequency(AlarmPriority::Low));
        assert!((critical - 1_400.0).abs() < 20.0, "{critical}");
        assert!((high - 880.0).abs() < 20.0, "{high}");
        assert!((low - 440.0).abs() < 20.0, "{low}");
        // And the rhythm: fast repeated beeps, fewer slower ones, a single tone.
        let counts: Vec<u32> = AlarmPriority::ALL.iter().map(|p| tone(*p).count).collect();
        assert_eq!(counts, [6, 3, 1]);
        // The pauses are silent.
        let t = tone(AlarmPriority::Critical);
        let s = samples(&wav(t));
        let on = secs_to_samples(t.on);
        assert!(s[on..on + secs_to_samples(t.off)].iter().all(|v| *v == 0));
    }

    #[test]
    fn the_player_is_found_on_the_path_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(find_player(dir.path().as_os_str()), None);
        let (name, _) = candidates()[candidates().len() - 1];
        std::fs::write(dir.path().join(name), b"").unwrap();
        let found = find_player(dir.path().as_os_str()).unwrap();
        assert_eq!(found.program, dir.path().join(name));
    }

    #[cfg(unix)]
    #[test]
    fn the_tone_is_written_and_played_and_a_failing_player_turns_audio_off_once() {
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = EventSink::new(tx, Arc::new(|| {}));
        let dir = tempfile::tempdir().unwrap();
        let wait = |audio: &AlarmAudio| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while audio.playing.load(Ordering::SeqCst) {
                assert!(std::time::Instant::now() < deadline, "the player did not finish");
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        };
        let working = AlarmAudio::new(dir.path().to_path_buf());
        working.player.set(Some(Player { program: "/bin/true".into(), args: vec![] })).unwrap();
        working.play(AlarmPriority::High, &sink);
        wait(&working);
        let written = std::fs::read(working.file(AlarmPriority::High)).unwrap();
        assert_eq!(written, wav(tone(AlarmPriority::High)));
        assert!(rx.try_recv().is_err(), "a player that works says nothing");

        let failing = AlarmAudio::new(dir.path().to_path_buf());
        failing.player.set(Some(Player { program: "/bin/false".into(), args: vec![] })).unwrap();
        failing.play(AlarmPriority::Low, &sink);
        wait(&failing);
        failing.play(AlarmPriority::Low, &sink);
        wait(&failing);
        let events: Vec<Event> = rx.try_iter().collect();
        assert_eq!(events.len(), 1, "{events:?}");
        assert!(matches!(&events[0], Event::AudioUnavailable { reason, .. } if reason.contains("false failed")));
        drop(working);
        assert!(!dir.path().join(format!("flowline-alarm-high-{}.wav", std::process::id())).exists(), "cleaned up");
    }

    #[test]
    fn without_a_player_it_says_so_once() {
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = EventSink::new(tx, Arc::new(|| {}));
        let dir = tempfile::tempdir().unwrap();
        let audio = AlarmAudio::new(dir.path().to_path_buf());
        audio.player.set(None).unwrap();
        audio.play(AlarmPriority::Critical, &sink);
        audio.play(AlarmPriority::High, &sink);
        let events: Vec<Event> = rx.try_iter().collect();
        assert_eq!(events.len(), 1);
        assert!(matches!(&events[0], Event::AudioUnavailable { reason, .. } if reason == "no audio player found"));
    }
}
