"""The text of every reply of a thread at once: word counts and term counts.

Scoring a 100,000-reply thread reads six million words.  Handled one reply and one word at a
time, in Python strings, that costs several times more than reading the thread, so here
bodies are handled a group at a time: a group's bodies are joined and stripped of their tags
in one pass, and each character becomes its class, one byte: a space, a character that parts
words, or one of 62 letters (the 38 of ASCII words: letters, digits, the apostrophe and hyphen
that join them; and the first 24 other letters the thread uses), each class standing for a
letter in both its cases.  Words are runs of letters, counted with numpy.  For terms, every
word of up to ten letters is packed into one integer (six bits a letter), longer words
numbered through a table; a hash table held in arrays gives each packed word its term (only
words never seen become strings, to be stemmed once), the words making a term go into one
integer with their text's number, the integers are sorted, and equal neighbours are one term
of one text.  Texts holding a character without a class (Chinese, "ß", a letter past those
62) take the per-word path.  Groups keep every array small enough to be reused from one group
to the next: fresh memory for arrays the size of the whole thread costs more than the work
done in it.  Large masks select through ``np.flatnonzero``: numpy's boolean indexing is three
times slower on masks in no order.  Each function gives exactly what its one-at-a-time form
gives (tested against it).
"""

from __future__ import annotations

import bisect
import html
import re
from collections import Counter
from operator import itemgetter
from typing import Callable, Sequence

import numpy as np

from digest.body import ANY_TAG, BLOCK_TAG, visible_text

_SEPARATOR = "\0"  # between two texts of a group: a group holding one in a text is read text by text
_GROUP = 1024  # texts a group: at most 1 << 16, a text's number in its group takes 16 bits

#: Classes: 0 where ``str.split()`` splits (and the separator), 1 a character that parts
#: words but not whitespace tokens, 2.. the letters, up to 63 (six bits).
_SPACE, _PARTS, _FIRST_LETTER, _CLASSES = 0, 1, 2, 64
#: The letters of an ASCII word (the word rules of ``digest.signals.words``); a word's leading
#: apostrophes and hyphens are not part of it ("'tis" is "tis", "--" no word).
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789'-"
_ASCII_CLASS = bytes(
    _SPACE if c == 0 or chr(c).isspace() else _FIRST_LETTER + ALPHABET.index(chr(c).lower()) if chr(c).lower() in ALPHABET else _PARTS
    for c in range(128)
) + bytes([_PARTS] * 128)  # other characters are given their class apart
SHORT = 8  # letters of one window: eight bytes of classes, packed into 48 bits
PACKED = 10  # letters packed into one key (60 bits); a longer word's key is its number times 64
_LOW_BYTES = np.array([(1 << 8 * n) - 1 for n in range(SHORT)] + [(1 << 64) - 1], dtype=np.uint64)

Pairs = tuple[np.ndarray, np.ndarray, np.ndarray]  # (text number, term id, count), each (text, term) once


class Counting:
    """What counting terms needs: how words are split and numbered, the letters given classes
    and the words seen so far (a thread's distinct words are spelled out and stemmed once, not
    once a group)."""

    def __init__(self, words: Callable[[str], list[str]], term_id: Callable[[str], int], shortest: int = 1):
        self.words = words  # a text's words: the rules classes follow
        self.term_id = term_id  # a word's term number, -1 for a word that makes none (a stop word)
        self.shortest = max(shortest, 1)  # letters of the shortest word that can make a term (shorter ones are never looked up)
        self.letters = list("\0" * _FIRST_LETTER + ALPHABET)  # class -> letter (lower case)
        self.joins = np.zeros(_CLASSES, bool)  # class -> joins letters but never starts a word
        self.joins[[self.letters.index(mark) for mark in "'-"]] = True
        self.classes: dict[str, int | None] = {}  # a character outside ASCII -> its class, None for none
        self.terms = _Index()  # the packed words seen -> their term numbers
        self.long_words: dict[bytes, int] = {}  # a word longer than twice SHORT (its classes) -> its number
        self.long_spelled: list[str] = []  # number of a word longer than PACKED -> the word
        self._spelling: dict[int, str] = {}  # class -> letter, as str.translate takes it
        self.halves = _Table()  # a word of PACKED + 1 to twice SHORT letters, by a hash of its packed halves

    def class_of(self, character: str) -> int | None:
        """The class of a character outside ASCII, found by how ``words`` reads it between two
        letters and before one; None when it has none (written as two letters, or read
        otherwise: Chinese characters are read in pairs)."""
        if character not in self.classes:
            folded = character.casefold()
            between, before = self.words(f"a{character}b"), self.words(f"{character}b")
            if character.isspace():
                found = _SPACE
            elif between == ["a", "b"]:
                found = _PARTS
            elif len(folded) != 1 or between != [f"a{folded}b"] or before not in (["b"], [f"{folded}b"]):
                found = None
            elif folded in self.letters:
                found = self.letters.index(folded)
            elif len(self.letters) < _CLASSES:
                found = len(self.letters)
                self.letters.append(folded)
                self.joins[found] = before == ["b"]
            else:
                found = None
            self.classes[character] = found
        return self.classes[character]

    def spell(self, classes: bytes) -> str:
        return self.spell_each(classes, len(classes))[0] if classes else ""

    def spell_each(self, classes: bytes, width: int) -> list[str]:
        """The words of runs of ``width`` classes, each ended early by zeros (packed keys unpacked)."""
        if len(self._spelling) != len(self.letters):  # letters were added since
            self._spelling = dict(enumerate(self.letters))  # class 0 (padding) stays "\0"
        text = classes.decode("latin-1").translate(self._spelling)
        return [text[i:i + width].rstrip("\0") for i in range(0, len(text), width)]

    def term_numbers(self, keys: np.ndarray) -> np.ndarray:
        """The term number of each packed word, -1 for a word that makes none."""
        terms, absent = self.terms.find(keys)
        if absent.size:
            new, each = np.unique(keys[absent], return_inverse=True)  # (numpy's other unique imports numpy.ma: 0.1 s)
            numbers = np.array([self.term_id(word) for word in self._spelled(new)], np.int64)
            self.terms.add(new, numbers)
            terms[absent] = numbers[each]
        return terms

    def _spelled(self, keys: np.ndarray) -> list[str]:
        short = (keys & np.uint64(63)) != 0
        packed = keys[np.flatnonzero(short)]
        classes = np.zeros((len(packed), PACKED), np.uint8)
        classes[:, :SHORT] = np.frombuffer(_unpack(packed & np.uint64((1 << 6 * SHORT) - 1)), np.uint8).reshape(-1, SHORT)
        for k in range(SHORT, PACKED):
            classes[:, k] = (packed >> np.uint64(6 * k)) & np.uint64(63)
        spelled = iter(self.spell_each(classes.tobytes(), PACKED))
        return [next(spelled) if is_short else self.long_spelled[key >> 6] for key, is_short in zip(keys.tolist(), short.tolist())]

    def long_keys(self, codes: bytes, windows: _Windows, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Keys of words longer than PACKED: their number times 64.  A word of up to twice SHORT
        letters is told by its two packed halves (numbered in bulk, through a hash checked
        against the halves); a longer one (rare) by its letters."""
        numbers = np.zeros(len(starts), np.uint64)
        halves = np.flatnonzero(lengths <= 2 * SHORT)
        if halves.size:
            first = windows.at(starts[halves])
            second = windows.at(starts[halves] + SHORT) & _LOW_BYTES[lengths[halves] - SHORT]
            _pack(first)
            _pack(second)
            numbers[halves] = self._numbered_halves(first, second)
        rest = np.flatnonzero(lengths > 2 * SHORT)
        for i, s, n in zip(rest.tolist(), starts[rest].tolist(), lengths[rest].tolist()):
            word = codes[s:s + n]
            number = self.long_words.get(word)
            if number is None:
                number = self.long_words[word] = len(self.long_spelled)
                self.long_spelled.append(self.spell(word))
            numbers[i] = number
        return numbers << np.uint64(6)

    def _numbered_halves(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        hashes = first * np.uint64(0x9E3779B97F4A7C15) ^ second * np.uint64(0xC2B2AE3D27D4EB4F) ^ (second >> np.uint64(29))
        return self.halves.numbers(hashes, first, second, self)


class _Index:
    """Distinct 64-bit keys -> numbers: a hash table with linear probing held in one array of
    (key, number) rows, so that all the words of a group are looked up at once, each by one
    gather (a binary search of a sorted table costs ten times more for keys in no order)."""

    EMPTY = np.uint64((1 << 64) - 1)  # never a key
    _MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
    _NEXT = np.arange(1, 9)  # a key not in its slot is in one of the next few: a quarter-full table keeps them short

    def __init__(self, bits: int = 12):
        self.bits, self.size = bits, 0
        self.rows = np.full((1 << bits, 2), self.EMPTY)

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        slots = keys * self._MULTIPLIER
        slots >>= np.uint64(64 - self.bits)
        return slots.view(np.int64)

    def find(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(the number of each key, the positions of the keys not in the table: their numbers unset)."""
        slots = self._slots(keys)
        rows = self.rows.take(slots, axis=0)
        numbers = rows[:, 1].view(np.int64).copy()
        todo = np.flatnonzero(rows[:, 0] != keys)
        slots, absent, last = slots[todo], [], (1 << self.bits) - 1
        while todo.size:  # a key past its first slot, or not held: the next slots looked at together
            rows = self.rows.take((slots[:, None] + self._NEXT) & last, axis=0)
            stop = rows[:, :, 0] == keys[todo, None]
            stop |= rows[:, :, 0] == self.EMPTY
            at = stop.argmax(axis=1)
            each = np.arange(len(todo))
            row, done = rows[each, at], stop[each, at]
            held = np.flatnonzero(done & (row[:, 0] == keys[todo]))
            numbers[todo[held]] = row[held, 1].view(np.int64)
            absent.append(todo[np.flatnonzero(done & (row[:, 0] == self.EMPTY))])
            on = np.flatnonzero(~done)
            todo, slots = todo[on], (slots[on] + len(self._NEXT)) & last
        return numbers, np.concatenate(absent) if absent else todo

    def add(self, keys: np.ndarray, numbers: np.ndarray) -> None:
        """Hold keys not held yet (distinct), the table kept at most a quarter full."""
        if 4 * (self.size + len(keys)) > len(self.rows):
            held = self.rows[self.rows[:, 0] != self.EMPTY]
            keys, numbers = np.concatenate((held[:, 0], keys)), np.concatenate((held[:, 1].view(np.int64), numbers))
            self.bits = max(self.bits, (4 * len(keys)).bit_length())
            self.rows, self.size = np.full((1 << self.bits, 2), self.EMPTY), 0
        self.size += len(keys)
        slots, last = self._slots(keys), (1 << self.bits) - 1
        while keys.size:
            free = np.flatnonzero(self.rows[slots, 0] == self.EMPTY)
            taken, first = np.unique(slots[free], return_index=True)  # one key a free slot
            placed = free[first]
            self.rows[taken, 0], self.rows[taken, 1] = keys[placed], numbers[placed].view(np.uint64)
            left = np.ones(len(keys), bool)
            left[placed] = False
            left = np.flatnonzero(left)
            keys, numbers, slots = keys[left], numbers[left], slots[left]
            slots[self.rows[slots, 0] != self.EMPTY] += 1
            slots &= last


class _Collision(Exception):
    """Two different words with one hash: their thread is counted word by word instead."""


class _Table:
    """Numbers of words given by their packed halves, found by a hash of the halves."""

    def __init__(self):
        self.index = _Index()  # hash -> entry
        self.first = self.second = self.number = np.zeros(0, np.uint64)  # by entry

    def numbers(self, hashes: np.ndarray, first: np.ndarray, second: np.ndarray, counting: Counting) -> np.ndarray:
        """The number of each word, a word new to the table numbered after the words
        ``counting`` has spelled; a hash found with other halves is a ``_Collision``."""
        if (hashes == _Index.EMPTY).any():
            raise _Collision
        entries, absent = self.index.find(hashes)
        if len(self.first):  # an absent hash's entry is some entry's: checked, then replaced
            wrong = (self.first.take(entries) != first) | (self.second.take(entries) != second)
            wrong[absent] = False
            if wrong.any():
                raise _Collision
        if absent.size:
            new_hashes, one, each = np.unique(hashes[absent], return_index=True, return_inverse=True)
            new_first, new_second = first[absent][one], second[absent][one]
            if (new_first[each] != first[absent]).any() or (new_second[each] != second[absent]).any():
                raise _Collision
            new_entries = np.arange(len(self.first), len(self.first) + len(new_hashes))
            self.index.add(new_hashes, new_entries)
            spelled = counting.long_spelled
            numbers = np.arange(len(spelled), len(spelled) + len(new_hashes), dtype=np.uint64)
            spelled.extend(counting.spell_each(_unpack(np.stack((new_first, new_second), axis=1).ravel()), 2 * SHORT))
            self.first, self.second = np.concatenate((self.first, new_first)), np.concatenate((self.second, new_second))
            self.number = np.concatenate((self.number, numbers))
            entries[absent] = new_entries[each]
        return self.number.take(entries)


def measure_bodies(bodies: Sequence[str], special: tuple[str, ...], read_special: Callable[[int], tuple[str, str]],
                   counting: Counting) -> tuple[list[int], np.ndarray, Pairs]:
    """For bodies of the sanitized subset: (the numbers of the bodies holding one of
    ``special``, ``len(visible_text(body).split())`` of every body, the terms of every body's
    visible text).  A body holding one of ``special`` is read by the caller instead:
    ``read_special(number)`` gives (the text to count words in, the text to take terms from)."""
    try:
        return _measured_bodies(bodies, special, read_special, counting)
    except _Collision:  # never seen yet: a 64-bit hash shared by two words
        found = [i for i, body in enumerate(bodies) if any(mark in body for mark in special)]
        texts = [visible_text(body) for body in bodies]
        term_texts = list(texts)
        for i in found:
            texts[i], term_texts[i] = read_special(i)
        return found, _split_counts(texts), _counts_one_by_one(term_texts, list(range(len(bodies))), counting)


def _measured_bodies(bodies, special, read_special, counting: Counting) -> tuple[list[int], np.ndarray, Pairs]:
    # One search finds any of the marks: twice as fast as a find for each.
    marks = re.compile("|".join(map(re.escape, special))) if special else None
    counts = np.zeros(len(bodies), np.int64)
    found: list[int] = []
    pairs = _PairColumns(len(bodies))
    order = _ascii_first(bodies)
    for first in range(0, len(bodies), _GROUP):
        numbers = order[first:first + _GROUP]
        group = _picked(bodies, numbers.tolist())
        joined = _SEPARATOR.join(group)
        mine = _holding(joined, marks, group) if marks else []
        if mine:
            for i in mine:
                group[i] = ""
            joined = _SEPARATOR.join(group)
            found += numbers[mine].tolist()
        group_counts, (doc, term, count) = _measure_visible(joined, group, counting)
        counts[numbers] = group_counts
        pairs.add(numbers[doc], term, count)
    found.sort()
    if found:
        count_texts, term_texts = zip(*map(read_special, found))
        counts[found] = measure_texts(count_texts, counting)[0]
        doc, term, count = measure_texts(term_texts, counting)[1]
        pairs.add(np.array(found, np.int64)[doc], term, count)
    return found, counts, pairs.columns()


def _picked(texts: Sequence[str], numbers: list[int]) -> list[str]:
    """``[texts[i] for i in numbers]`` in one call (a third faster: no loop in Python);
    ``itemgetter`` of one number gives the text itself, not a tuple."""
    return list(itemgetter(*numbers)(texts)) if len(numbers) > 1 else [texts[i] for i in numbers]


def _ascii_first(texts: Sequence[str]) -> np.ndarray:
    """The texts' numbers, those of ASCII texts first: a group holding one character outside
    ASCII is a wide string, slower to strip and to class, and in real comments a few texts in
    a hundred hold one (a curly quote, an accent), enough to widen every group of a thread."""
    ascii = np.fromiter(map(str.isascii, texts), bool, len(texts))
    return np.concatenate((np.flatnonzero(ascii), np.flatnonzero(~ascii)))


def measure_texts(texts: Sequence[str], counting: Counting) -> tuple[np.ndarray, Pairs]:
    """``len(text.split())`` of every text, and the terms of every text."""
    try:
        return _measured_texts(texts, counting)
    except _Collision:  # never seen yet: a 64-bit hash shared by two words
        return _split_counts(texts), _counts_one_by_one(list(texts), list(range(len(texts))), counting)


def _split_counts(texts: Sequence[str]) -> np.ndarray:
    return np.array([len(text.split()) for text in texts], np.int64)


def _measured_texts(texts: Sequence[str], counting: Counting) -> tuple[np.ndarray, Pairs]:
    counts, pairs = np.zeros(len(texts), np.int64), _PairColumns(len(texts))
    for first in range(0, len(texts), _GROUP):
        group_counts, (doc, term, count) = _measure_group(texts[first:first + _GROUP], counting)
        counts[first:first + len(group_counts)] = group_counts
        pairs.add(doc + first, term, count)
    return counts, pairs.columns()


def _holding(joined: str, marks: re.Pattern, group: list[str]) -> list[int]:
    """The numbers of the group's bodies holding one of ``marks``: searched in the joined text."""
    found: list[int] = []
    ends: list[int] = []  # where each body's separator ends, worked out once a body is found
    start = 0
    while place := marks.search(joined, start):
        ends = ends or np.cumsum([len(body) + 1 for body in group]).tolist()
        found.append(bisect.bisect_right(ends, place.start()))
        start = ends[found[-1]]
    return found


# Tags as ``visible_text`` removes them, but never across a separator: a "<" a text leaves open
# stays text, as it does when that text is read alone.
_GROUP_BLOCK_TAG = re.compile(BLOCK_TAG.pattern.replace("[^>]", "[^>\0]"))
_GROUP_ANY_TAG = re.compile(ANY_TAG.pattern.replace("[^>]", "[^>\0]"))


def _measure_visible(joined: str, bodies: list[str], counting: Counting) -> tuple[np.ndarray, Pairs]:
    """``measure_texts`` of the visible text of bodies joined with separators."""
    text = _GROUP_BLOCK_TAG.sub(" ", joined)
    if "<" in text:
        text = _GROUP_ANY_TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)  # a separator stays where it is: no entity stands for one
    measured = _measure_joined(text, len(bodies), counting, lambda: text.split(_SEPARATOR))
    if measured is None:  # a body holds a separator (rare: counted while classing, not beforehand)
        return _measure_group([visible_text(body) for body in bodies], counting)
    return measured


def _measure_group(texts: Sequence[str], counting: Counting) -> tuple[np.ndarray, Pairs]:
    """``measure_texts`` of at most ``_GROUP`` texts."""
    whole = [i for i, text in enumerate(texts) if _SEPARATOR not in text]
    counts, (doc, term, count) = np.zeros(0, np.int64), _concatenated([])
    if whole:
        measured = _measure_joined(_SEPARATOR.join([texts[i] for i in whole]), len(whole), counting, lambda: [texts[i] for i in whole])
        assert measured is not None  # no text holds a separator
        counts, (doc, term, count) = measured
    if len(whole) == len(texts):
        return counts, (doc, term, count)
    numbers = np.array(whole, np.int64)
    others = sorted(set(range(len(texts))).difference(whole))
    all_counts = np.zeros(len(texts), np.int64)
    all_counts[numbers] = counts
    all_counts[others] = [len(texts[i].split()) for i in others]
    return all_counts, _concatenated([(numbers[doc], term, count), _counts_one_by_one([texts[i] for i in others], others, counting)])


def _measure_joined(joined: str, size: int, counting: Counting, texts: Callable[[], list[str]]) -> tuple[np.ndarray, Pairs] | None:
    """``measure_texts`` of ``size`` texts joined with separators: their classes counted
    together, the texts holding a character without a class (``texts()[i]``) word by word.
    None when ``joined`` holds another number of separators (a text holds one)."""
    classes, text_starts, unread = _classes(joined, counting)
    if len(text_starts) != size:
        return None
    counts, pairs = _counted_classes(classes, text_starts, size, counting)
    if unread:
        each = texts()
        counts[unread] = [len(each[i].split()) for i in unread]
        pairs = _concatenated([pairs, _counts_one_by_one([each[i] for i in unread], unread, counting)])
    return counts, pairs


def _classes(joined: str, counting: Counting) -> tuple[bytes, np.ndarray, list[int]]:
    """(the class of every character, where each text starts, the texts holding a character
    without a class: their characters are given class 0 here, read word by word instead)."""
    if joined.isascii():
        raw = joined.encode("ascii")
        separators = np.flatnonzero(np.frombuffer(raw, np.uint8) == 0)
        return raw.translate(_ASCII_CLASS), np.concatenate(([0], separators + 1)), []
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), np.uint32)  # a lone surrogate (a JSON escape) too
    starts = np.concatenate(([0], np.flatnonzero(points == 0) + 1))
    classes = np.frombuffer(points.astype(np.uint8).tobytes().translate(_ASCII_CLASS), np.uint8).copy()  # ASCII's
    others = np.flatnonzero(points >= 128)
    distinct, which = np.unique(points[others], return_inverse=True)
    found = [counting.class_of(chr(point)) for point in distinct.tolist()]
    classes[others] = np.array([_SPACE if c is None else c for c in found], np.uint8)[which]
    unread: list[int] = []
    if None in found:
        missing = np.array([c is None for c in found])[which]
        unread = sorted(set((np.searchsorted(starts, others[missing], side="right") - 1).tolist()))
        ends = np.append(starts[1:] - 1, len(points))
        for i in unread:
            classes[starts[i]:ends[i]] = _SPACE
    return classes.tobytes(), starts, unread


def _counted_classes(classes: bytes, text_starts: np.ndarray, size: int, counting: Counting) -> tuple[np.ndarray, Pairs]:
    """Word counts and terms of ``size`` texts of classes: words packed into keys next to their
    text's number, sorted, counted."""
    codes = np.frombuffer(classes, np.uint8)
    word_counts = _runs_per_text(codes != _SPACE, text_starts)
    starts, ends = _runs(codes >= _FIRST_LETTER)
    _drop_leading_joins(codes, starts, ends, counting.joins)
    kept = np.flatnonzero(ends - starts >= counting.shortest)  # and not emptied: "--" is no word
    starts, ends = starts[kept], ends[kept]
    terms = counting.term_numbers(_keys(classes, starts, ends, counting))
    kept = np.flatnonzero(terms >= 0)  # a word making no term ("the"; two in five of real words) is never sorted
    pairs = terms.view(np.uint64)
    pairs <<= np.uint64(16)
    pairs |= np.repeat(np.arange(size, dtype=np.uint64), np.diff(np.searchsorted(starts, text_starts), append=len(starts)))
    pairs = pairs[kept]
    pairs.sort()
    return word_counts, _count_sorted(pairs)


class _PairColumns:
    """(text, term, count) triples gathered group by group into one array, grown by doubling:
    numpy backs an array of megabytes with huge pages, while every group's arrays kept until
    the end would each have their pages faulted in one by one (14,000 page faults, a
    twentieth of the text pass of 100,000 replies), and then be copied into one."""

    def __init__(self, texts: int):
        self._array = np.empty((3, 32 * texts), np.int64)  # real comments make 25 (text, term) pairs a text
        self._size = 0

    def add(self, texts: np.ndarray, terms: np.ndarray, counts: np.ndarray) -> None:
        end = self._size + len(terms)
        if end > self._array.shape[1]:
            grown = np.empty((3, max(end, 2 * self._array.shape[1])), np.int64)
            grown[:, :self._size] = self._array[:, :self._size]
            self._array = grown
        self._array[:, self._size:end] = texts, terms, counts
        self._size = end

    def columns(self) -> Pairs:
        return tuple(self._array[:, :self._size])


def _concatenated(pairs: list[Pairs]) -> Pairs:
    if not pairs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    return tuple(np.concatenate(column) for column in zip(*pairs))


def _counts_one_by_one(texts: list[str], numbers: list[int], counting: Counting) -> Pairs:
    docs, terms, counts = [], [], []
    for number, text in zip(numbers, texts):
        bag = Counter(map(counting.term_id, counting.words(text)))
        bag.pop(-1, None)
        docs.extend([number] * len(bag))
        terms.extend(bag)
        counts.extend(bag.values())
    return np.array(docs, np.int64), np.array(terms, np.int64), np.array(counts, np.int64)


def _runs_per_text(inside: np.ndarray, text_starts: np.ndarray) -> np.ndarray:
    """How many runs of True start in each text (a text starts at ``text_starts``; a separator,
    never inside, lies between two)."""
    starting = np.zeros(len(inside) + 1, bool)  # one more: the last text may be empty
    starting[:len(inside[:1])] = inside[:1]
    np.greater(inside[1:], inside[:-1], out=starting[1:-1])
    return np.add.reduceat(starting.view(np.uint8), text_starts, dtype=np.int32)  # no text has 2**31 words; int64 is slower


def _runs(inside: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of True starts and ends (exclusive)."""
    edges = np.flatnonzero(inside[1:] != inside[:-1]) + 1
    if inside.size and inside[0]:
        edges = np.concatenate(([0], edges))
    if inside.size and inside[-1]:
        edges = np.append(edges, inside.size)
    return edges[0::2].copy(), edges[1::2].copy()


def _drop_leading_joins(codes: np.ndarray, starts: np.ndarray, ends: np.ndarray, joins: np.ndarray) -> None:
    """Move each word's start past its leading apostrophes, hyphens and marks (in place); a
    word of those only ends up empty.  (``take``: indexing by an array of classes, one byte
    each, costs half as much again.)"""
    at = np.flatnonzero(joins.take(codes.take(starts)))
    while at.size:
        starts[at] += 1
        at = at[starts[at] < ends[at]]
        at = at[joins.take(codes.take(starts[at]))]


def _keys(codes: bytes, starts: np.ndarray, ends: np.ndarray, counting: Counting) -> np.ndarray:
    """One integer per word, equal for equal words: up to ten letters packed (the first
    letter's code in the low six bits, never 0), a longer word's number times 64 (low bits 0)."""
    windows = _Windows(codes)
    lengths = ends - starts
    keys = windows.at(starts)
    keys &= _LOW_BYTES[np.minimum(lengths, SHORT)]
    _pack(keys)
    long = np.flatnonzero(lengths > SHORT)
    if long.size:  # the ninth and tenth letters go above the first eight's 48 bits
        extra = lengths[long] - SHORT
        at = long[np.flatnonzero(extra <= PACKED - SHORT)]
        tail = windows.at(starts[at] + SHORT) & _LOW_BYTES[lengths[at] - SHORT]
        tail = (tail & np.uint64(0xFF)) | ((tail & np.uint64(0xFF00)) >> np.uint64(2))
        tail <<= np.uint64(6 * SHORT)
        keys[at] |= tail
        long = long[np.flatnonzero(extra > PACKED - SHORT)]
    if long.size:
        keys[long] = counting.long_keys(codes, windows, starts[long], lengths[long])
    return keys


class _Windows:
    """Eight bytes of classes from any position, as one little-endian integer: the two aligned
    words holding them gathered and shifted together (gathering from a view of unaligned
    words costs twice as much)."""

    def __init__(self, codes: bytes):
        self.words = np.frombuffer(codes + bytes(2 * SHORT - len(codes) % SHORT), "<u8")

    def at(self, positions: np.ndarray) -> np.ndarray:
        word = positions >> 3
        shift = (positions & 7).view(np.uint64) << np.uint64(3)
        low = self.words.take(word)
        low >>= shift
        high = self.words.take(word + 1)
        high <<= np.uint64(64) - shift  # numpy shifts by 64 to 0
        low |= high
        return low


_MASKS = [np.uint64(m) for m in (0x00FF00FF00FF00FF, 0x0FC00FC00FC00FC0, 0x00000FFF00000FFF, 0x00FFF00000FFF000, 0xFFFFFF, 0xFFFFFF000000)]


def _pack(w: np.ndarray) -> None:
    """Eight bytes of six-bit codes -> 48 bits (byte i to bits 6i..6i+5), in place."""
    moved = np.empty_like(w)
    for (keep, move), shift in zip(zip(_MASKS[0::2], _MASKS[1::2]), (2, 4, 8)):
        np.right_shift(w, np.uint64(shift), out=moved)
        moved &= move
        w &= keep
        w |= moved


def _unpack(keys: np.ndarray) -> bytes:
    """The classes of packed keys, SHORT a key (the inverse of ``_pack``; zero bytes after a
    short word)."""
    w = (keys & np.uint64(0xFFFFFF)) | ((keys & np.uint64(0xFFFFFF000000)) << np.uint64(8))
    w = (w & np.uint64(0x00000FFF00000FFF)) | ((w & np.uint64(0x00FFF00000FFF000)) << np.uint64(4))
    w = (w & np.uint64(0x003F003F003F003F)) | ((w & np.uint64(0x0FC00FC00FC00FC0)) << np.uint64(2))
    return w.astype("<u8").tobytes()


def _count_sorted(pairs: np.ndarray) -> Pairs:
    """(text, term, count) from sorted (term << 16 | text) integers."""
    starts = np.flatnonzero(np.concatenate(([True], pairs[1:] != pairs[:-1]))) if pairs.size else pairs.astype(np.int64)
    counts = np.diff(starts, append=len(pairs))
    pairs = pairs[starts]
    return (pairs & np.uint64(0xFFFF)).astype(np.int64), (pairs >> np.uint64(16)).astype(np.int64), counts
