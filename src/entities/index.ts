import { AbuseEvent } from './abuse-event.entity';
import { AnswerRating } from './answer-rating.entity';
import { ApiKey } from './api-key.entity';
import { AuditEntry } from './audit-entry.entity';
import { Conversation } from './conversation.entity';
import { CuratedAnswer } from './curated-answer.entity';
import { Document } from './document.entity';
import { Message } from './message.entity';
import { Plan } from './plan.entity';
import { Tenant } from './tenant.entity';
import { UsageRecord } from './usage-record.entity';

export const ENTITIES = [Plan, Tenant, ApiKey, UsageRecord, AuditEntry, AbuseEvent, Document, Conversation, Message, AnswerRating, CuratedAnswer];
