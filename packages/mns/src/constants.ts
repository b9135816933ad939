/** @module constants — fixed strings of the MNS XML API 2015-06-06 and Sluice's namespace prefixes. */

/** The XML namespace of every MNS body. */
export const MNS_NAMESPACE = 'http://mns.aliyuncs.com/doc/v1/';
/** The only API version (`x-mns-version`). */
export const MNS_VERSION = '2015-06-06';
/** `Content-Type` of every body: the Alibaba Node SDKs ignore bodies of any other type, even errors. */
export const XML_CONTENT_TYPE = 'text/xml;charset=utf-8';

/**
 * Core names of MNS objects carry a prefix, so an MNS queue `q` and a RocketMQ topic `q` (or a DMS queue) are
 * different objects in one broker, and ListQueue sees only MNS queues.
 */
export const QUEUE_PREFIX = 'mns:queue:';
/** Prefix of the core topic that holds an MNS topic's subscriptions. */
export const TOPIC_PREFIX = 'mns:topic:';

/**
 * Property in which versions before core priorities stored a message's MNS Priority (when not the default 8).
 * Only read now, for the messages such versions left in a log; new messages carry it as their core priority.
 */
export const PRIORITY_PROPERTY = 'mns:priority';
/** The default message Priority; the core ranks a message without a priority the same. */
export const DEFAULT_PRIORITY = 8;
