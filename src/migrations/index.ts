import { Foundation1763900000000 } from './1763900000000-Foundation';
import { RetrievalIndex1763900000100 } from './1763900000100-RetrievalIndex';
import { QuotaLeases1764400000000 } from './1764400000000-QuotaLeases';
import { AdminAdditions1764500000000 } from './1764500000000-AdminAdditions';
import { CompactPostings1764500000400 } from './1764500000400-CompactPostings';
import { PostingLocality1764600000000 } from './1764600000000-PostingLocality';
import { UsageRollupQueue1764600000100 } from './1764600000100-UsageRollupQueue';
import { TermUpdatesInPlace1764700000000 } from './1764700000000-TermUpdatesInPlace';
import { InsideTenant1764830000000 } from './1764830000000-InsideTenant';
import { LanguageChunkCounts1764860000000 } from './1764860000000-LanguageChunkCounts';
import { CuratedAnswers1764870000000 } from './1764870000000-CuratedAnswers';
import { AssistantInstructions1764870000100 } from './1764870000100-AssistantInstructions';
import { StripeBilling1764900000000 } from './1764900000000-StripeBilling';
import { ForwardIndex1764920000000 } from './1764920000000-ForwardIndex';
import { AnalysisVersion1764930000000 } from './1764930000000-AnalysisVersion';

/** Every migration, in order. Listed by hand so the same list works from tsc output, vitest and the CLI. */
export const MIGRATIONS = [Foundation1763900000000, RetrievalIndex1763900000100, QuotaLeases1764400000000, AdminAdditions1764500000000, CompactPostings1764500000400, PostingLocality1764600000000, UsageRollupQueue1764600000100, TermUpdatesInPlace1764700000000, InsideTenant1764830000000, LanguageChunkCounts1764860000000, CuratedAnswers1764870000000, AssistantInstructions1764870000100, StripeBilling1764900000000, ForwardIndex1764920000000, AnalysisVersion1764930000000];
